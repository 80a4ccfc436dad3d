"""Operator analytics from the stats service: a summary, a row per operator, a daily series. Operators see
their own figures; admins see everyone's (and any operator's)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated
from zoneinfo import ZoneInfo

from fastapi import APIRouter, HTTPException, Query, status

from gateway.api.deps import ContextDep, CurrentOperator
from gateway.models import (
    CategoryStatsPage,
    CategoryStatsPublic,
    DailyStatsPage,
    DailyStatsPublic,
    OperatorStatsPage,
    OperatorStatsPublic,
    StatsMetricName,
    StatsSummaryPublic,
    TimeseriesPointPublic,
    TimeseriesPublic,
)
from t1.stats.v1 import stats_service_pb2 as pb
from t1lib.auth import Principal

router = APIRouter(prefix="/stats", tags=["stats"])

DEFAULT_DAYS = 30
# The default range ends today in the desk's default time zone; stats says which zone it counts in.
DEFAULT_ZONE = ZoneInfo("Europe/Minsk")

DayQuery = Annotated[date | None, Query(description="a day, YYYY-MM-DD (default: the last 30 days)")]
OperatorQuery = Annotated[str | None, Query(max_length=100, description="an operator id (admins: anyone's)")]
CategoryQuery = Annotated[str, Query(max_length=200, description='a category; "" for every category')]


def scope(first: date | None, last: date | None, operator_id: str = "", category: str = "") -> pb.Scope:
    last = last or datetime.now(DEFAULT_ZONE).date()
    # the last 30 days, or as many as the calendar has before `last`
    first = first or date.fromordinal(max(date.min.toordinal(), last.toordinal() - (DEFAULT_DAYS - 1)))
    return pb.Scope(
        first_day=first.isoformat(), last_day=last.isoformat(), operator_id=operator_id, category=category
    )


def whose(operator: Principal, operator_id: str | None) -> str:
    """The operator whose figures may be read: any for an admin, only one's own otherwise."""
    if operator.is_admin:
        return operator_id or ""
    if operator_id and operator_id != operator.operator_id:
        raise HTTPException(status.HTTP_403_FORBIDDEN, "operators see only their own figures")
    return operator.operator_id


def summary_view(figures: pb.Figures, time_zone: str) -> StatsSummaryPublic:
    def optional(name: str) -> float | None:
        value: float = getattr(figures, name)
        return value if figures.HasField(name) else None

    distribution = list(figures.csat_distribution) or [0] * 5
    return StatsSummaryPublic(
        time_zone=time_zone,
        tickets_created=figures.tickets_created,
        tickets_closed=figures.tickets_closed,
        backlog=figures.backlog,
        ratings_count=figures.ratings_count,
        csat_average=optional("csat_average"),
        csat_distribution={str(score): distribution[score - 1] for score in range(1, 6)},
        rating_response_rate=optional("rating_response_rate"),
        first_response_p50_s=optional("first_response_p50_seconds"),
        first_response_p90_s=optional("first_response_p90_seconds"),
        resolution_p50_s=optional("resolution_p50_seconds"),
        resolution_p90_s=optional("resolution_p90_seconds"),
        messages_per_ticket=optional("messages_per_ticket"),
    )


@router.get("/summary")
async def get_summary(
    operator: CurrentOperator,
    context: ContextDep,
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: DayQuery = None,
    operator_id: OperatorQuery = None,
    category: CategoryQuery = "",
) -> StatsSummaryPublic:
    """Figures of the days `from`..`to` (both included): tickets, backlog, response and resolution times,
    customer ratings."""
    request = pb.GetSummaryRequest(scope=scope(from_, to, whose(operator, operator_id), category))
    response = await context.stats.GetSummary(request)
    return summary_view(response.figures, response.time_zone)


@router.get("/operators")
async def list_operator_stats(
    operator: CurrentOperator,
    context: ContextDep,
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: DayQuery = None,
    category: CategoryQuery = "",
) -> OperatorStatsPage:
    """A row per operator with tickets in the days asked for (an operator gets only their own row)."""
    response = await context.stats.ListOperatorSummaries(
        pb.ListOperatorSummariesRequest(scope=scope(from_, to, "", category))
    )
    names = {
        str(item["_id"]): str(item.get("display_name") or item.get("username") or "")
        for item in await context.operators.list()
    }
    rows = [
        OperatorStatsPublic(
            operator_id=row.operator_id,
            name=names.get(row.operator_id, ""),
            **summary_view(row.figures, response.time_zone).model_dump(),
        )
        for row in response.operators
        if operator.is_admin or row.operator_id == operator.operator_id
    ]
    return OperatorStatsPage(time_zone=response.time_zone, items=rows)


@router.get("/categories")
async def list_category_stats(
    operator: CurrentOperator,
    context: ContextDep,
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: DayQuery = None,
    operator_id: OperatorQuery = None,
) -> CategoryStatsPage:
    """A row per category with tickets in the days asked for ("" for tickets without one)."""
    response = await context.stats.ListCategorySummaries(
        pb.ListCategorySummariesRequest(scope=scope(from_, to, whose(operator, operator_id)))
    )
    rows = [
        CategoryStatsPublic(
            category=row.category, **summary_view(row.figures, response.time_zone).model_dump()
        )
        for row in response.categories
    ]
    return CategoryStatsPage(time_zone=response.time_zone, items=rows)


@router.get("/daily")
async def list_daily_stats(
    operator: CurrentOperator,
    context: ContextDep,
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: DayQuery = None,
    operator_id: OperatorQuery = None,
    category: CategoryQuery = "",
) -> DailyStatsPage:
    """Every figure of each day (for the charts); `backlog` is the number open at each day's end."""
    request = pb.GetDailySeriesRequest(scope=scope(from_, to, whose(operator, operator_id), category))
    response = await context.stats.GetDailySeries(request)
    items = [
        DailyStatsPublic(day=item.day, **summary_view(item.figures, response.time_zone).model_dump())
        for item in response.days
    ]
    return DailyStatsPage(time_zone=response.time_zone, items=items)


@router.get("/timeseries")
async def get_timeseries(
    operator: CurrentOperator,
    context: ContextDep,
    metric: StatsMetricName = "tickets_created",
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: DayQuery = None,
    operator_id: OperatorQuery = None,
    category: CategoryQuery = "",
) -> TimeseriesPublic:
    """One point per day of `metric`; `backlog` is the number of tickets open at each day's end."""
    request = pb.GetDailySeriesRequest(scope=scope(from_, to, whose(operator, operator_id), category))
    response = await context.stats.GetDailySeries(request)
    points = []
    for item in response.days:
        value = getattr(summary_view(item.figures, response.time_zone), metric)
        points.append(TimeseriesPointPublic(day=item.day, value=None if value is None else float(value)))
    return TimeseriesPublic(time_zone=response.time_zone, metric=metric, points=points)
