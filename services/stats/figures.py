"""The figures a support lead asks for, read from the ledger's cells for a range of local days."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from services.stats.tally import SCORES, Ledger, Tally, percentile


@dataclass(frozen=True)
class Scope:
    """Local days `first`..`last` (both included), optionally one operator's or one category's tickets."""

    first: date
    last: date
    operator_id: str = ""
    category: str = ""

    def days(self, ledger: Ledger) -> dict[date, Tally]:
        return ledger.days(self.operator_id or None, self.category or None)


@dataclass(frozen=True)
class Summary:
    tickets_created: int
    tickets_closed: int
    backlog: int  # open at the end of the last day
    ratings_count: int
    csat_average: float | None
    csat_distribution: dict[str, int]
    rating_response_rate: float | None
    first_response_p50_s: float | None
    first_response_p90_s: float | None
    resolution_p50_s: float | None
    resolution_p90_s: float | None
    messages_per_ticket: float | None


def summary(ledger: Ledger, scope: Scope) -> Summary:
    return _range_summary(scope.days(ledger), scope)


def by_operator(ledger: Ledger, scope: Scope) -> dict[str, Summary]:
    """Each operator's figures (tickets not yet taken by anyone under "")."""
    category = scope.category or None
    return {
        operator: _range_summary(ledger.days(operator, category), scope)
        for operator in ledger.operators(category)
    }


def by_category(ledger: Ledger, scope: Scope) -> dict[str, Summary]:
    """Each category's figures (uncategorised tickets under "")."""
    operator = scope.operator_id or None
    return {
        category: _range_summary(ledger.days(operator, category), scope)
        for category in ledger.categories(operator)
    }


def _range_summary(days: dict[date, Tally], scope: Scope) -> Summary:
    inside = Tally()
    backlog = 0
    for day, tally in days.items():
        if day > scope.last:
            continue
        backlog += tally.created - tally.closed
        if day >= scope.first:
            inside.add(tally)
    return _summary(inside, backlog=backlog)


def daily(ledger: Ledger, scope: Scope) -> list[tuple[date, Summary]]:
    """One summary per day of the scope; each day's backlog is the number open at its end."""
    days = _days(scope.first, scope.last)
    per_day = {day: Tally() for day in days}
    open_before = 0
    for day, tally in scope.days(ledger).items():
        if day < scope.first:
            open_before += tally.created - tally.closed
        elif day <= scope.last:
            per_day[day].add(tally)
    series: list[tuple[date, Summary]] = []
    backlog = open_before
    for day in days:
        backlog += per_day[day].created - per_day[day].closed
        series.append((day, _summary(per_day[day], backlog=backlog)))
    return series


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=offset) for offset in range((last - first).days + 1)]


def _summary(tally: Tally, *, backlog: int) -> Summary:
    return Summary(
        tickets_created=tally.created,
        tickets_closed=tally.closed,
        backlog=backlog,
        ratings_count=tally.rated,
        csat_average=_ratio(tally.score_sum, tally.rated),
        csat_distribution={str(score): tally.scores.get(score, 0) for score in SCORES},
        rating_response_rate=_ratio(tally.rated, tally.closed),
        first_response_p50_s=percentile(tally.first_response, 0.5),
        first_response_p90_s=percentile(tally.first_response, 0.9),
        resolution_p50_s=percentile(tally.resolution, 0.5),
        resolution_p90_s=percentile(tally.resolution, 0.9),
        messages_per_ticket=_ratio(tally.closed_messages, tally.closed),
    )


def _ratio(part: int, whole: int) -> float | None:
    return part / whole if whole else None
