"""gRPC StatsService: protos in, the desk's figures out. Errors become status codes in t1lib.grpc."""

# ruff: noqa: N802 - method names are the RPC names generated from the proto

from __future__ import annotations

from datetime import UTC, timedelta
from typing import Any

import grpc
from google.protobuf.timestamp_pb2 import Timestamp

from services.stats.desk import MAX_SCOPE_DAYS, StatsDesk, parse_scope, today
from services.stats.facts import Review
from services.stats.figures import Scope, Summary
from services.stats.tally import SCORES
from t1.stats.v1 import stats_service_pb2 as api
from t1.stats.v1 import stats_service_pb2_grpc as api_grpc
from t1lib.errors import InvalidArgumentError

Context = grpc.aio.ServicerContext[Any, Any]
MAX_RATINGS_PER_CALL = 500


def scope_of(scope: api.Scope) -> Scope:
    return parse_scope(scope.first_day, scope.last_day, scope.operator_id, scope.category)


def figures_proto(figures: Summary) -> api.Figures:
    proto = api.Figures(
        tickets_created=figures.tickets_created,
        tickets_closed=figures.tickets_closed,
        backlog=figures.backlog,
        ratings_count=figures.ratings_count,
        csat_distribution=[figures.csat_distribution[str(score)] for score in SCORES],
    )
    optional = {
        "csat_average": figures.csat_average,
        "rating_response_rate": figures.rating_response_rate,
        "first_response_p50_seconds": figures.first_response_p50_s,
        "first_response_p90_seconds": figures.first_response_p90_s,
        "resolution_p50_seconds": figures.resolution_p50_s,
        "resolution_p90_seconds": figures.resolution_p90_s,
        "messages_per_ticket": figures.messages_per_ticket,
    }
    for name, value in optional.items():
        if value is not None:
            setattr(proto, name, value)
    return proto


def rating_proto(review: Review) -> api.TicketRating:
    rating = api.TicketRating(score=review.score, comment=review.comment)
    rating.rated_at.FromDatetime(review.rated_at)
    return rating


class StatsServicer(api_grpc.StatsServiceServicer):
    def __init__(self, desk: StatsDesk) -> None:
        self._desk = desk

    async def GetSummary(self, request: api.GetSummaryRequest, context: Context) -> api.GetSummaryResponse:
        figures = self._desk.summary(scope_of(request.scope))
        return api.GetSummaryResponse(figures=figures_proto(figures), time_zone=str(self._desk.zone))

    async def ListOperatorSummaries(
        self, request: api.ListOperatorSummariesRequest, context: Context
    ) -> api.ListOperatorSummariesResponse:
        scope = scope_of(request.scope)
        rows = self._desk.operators(Scope(scope.first, scope.last, "", scope.category))
        return api.ListOperatorSummariesResponse(
            operators=[
                api.OperatorFigures(operator_id=operator, figures=figures_proto(row))
                for operator, row in rows.items()
            ],
            time_zone=str(self._desk.zone),
        )

    async def ListCategorySummaries(
        self, request: api.ListCategorySummariesRequest, context: Context
    ) -> api.ListCategorySummariesResponse:
        scope = scope_of(request.scope)
        rows = self._desk.categories(Scope(scope.first, scope.last, scope.operator_id, ""))
        return api.ListCategorySummariesResponse(
            categories=[
                api.CategoryFigures(category=category, figures=figures_proto(row))
                for category, row in rows.items()
            ],
            time_zone=str(self._desk.zone),
        )

    async def GetDailySeries(
        self, request: api.GetDailySeriesRequest, context: Context
    ) -> api.GetDailySeriesResponse:
        series = self._desk.daily(scope_of(request.scope))
        return api.GetDailySeriesResponse(
            days=[
                api.DailyFigures(day=day.isoformat(), figures=figures_proto(point)) for day, point in series
            ],
            time_zone=str(self._desk.zone),
        )

    async def GetTicketRating(
        self, request: api.GetTicketRatingRequest, context: Context
    ) -> api.GetTicketRatingResponse:
        review = self._desk.rating(request.ticket_id.strip())
        if review is None:
            return api.GetTicketRatingResponse()
        return api.GetTicketRatingResponse(rating=rating_proto(review))

    async def ListTicketRatings(
        self, request: api.ListTicketRatingsRequest, context: Context
    ) -> api.ListTicketRatingsResponse:
        if len(request.ticket_ids) > MAX_RATINGS_PER_CALL:
            raise InvalidArgumentError(f"не больше {MAX_RATINGS_PER_CALL} обращений за один запрос")
        found = []
        for ticket_id in dict.fromkeys(request.ticket_ids):
            review = self._desk.rating(ticket_id.strip())
            if review is not None:
                found.append(api.RatedTicket(ticket_id=ticket_id, rating=rating_proto(review)))
        return api.ListTicketRatingsResponse(ratings=found)

    async def GetOperatorStats(
        self, request: api.GetOperatorStatsRequest, context: Context
    ) -> api.GetOperatorStatsResponse:
        """The older rating-only view: one operator's reviews of tickets closed in the period."""
        scope = self._period(request.from_time, request.to_time, request.operator_id)
        return api.GetOperatorStatsResponse(
            stats=_rating_stats(request.operator_id, self._desk.summary(scope))
        )

    async def ListOperatorStats(
        self, request: api.ListOperatorStatsRequest, context: Context
    ) -> api.ListOperatorStatsResponse:
        scope = self._period(request.from_time, request.to_time, "")
        rows = [
            _rating_stats(operator, row)
            for operator, row in self._desk.operators(scope).items()
            if row.ratings_count
        ]
        rows.sort(key=lambda stats: (-stats.average_rating, stats.operator_id))
        return api.ListOperatorStatsResponse(stats=rows)

    def _period(self, from_time: Timestamp, to_time: Timestamp, operator_id: str) -> Scope:
        """The older API's period as local days: until today when open-ended, at most MAX_SCOPE_DAYS."""
        zone = self._desk.zone
        last = to_time.ToDatetime(UTC).astimezone(zone).date() if to_time.seconds else today(zone)
        earliest = last - timedelta(days=MAX_SCOPE_DAYS - 1)
        first = from_time.ToDatetime(UTC).astimezone(zone).date() if from_time.seconds else earliest
        return Scope(max(first, earliest), last, operator_id.strip())


def _rating_stats(operator_id: str, figures: Summary) -> api.OperatorStats:
    return api.OperatorStats(
        operator_id=operator_id,
        reviews_count=figures.ratings_count,
        average_rating=figures.csat_average or 0.0,
        rating_histogram=[figures.csat_distribution[str(score)] for score in SCORES],
    )
