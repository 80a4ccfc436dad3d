"""Additive figures per (local day, operator, category) cell, kept incrementally.

A ticket contributes to the cell of the day it was created (created, first response) and of the day it
was closed (closed, resolution, messages, its review). When its facts change, the cells get the new
contribution minus the old one, so the totals never need a scan of the tickets and stay right whatever
order or how many times the events came. Durations are kept as histograms with buckets 10% wide, so a
median or a 90th percentile over any range is read from the summed histogram (within 5%)."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from services.stats.facts import TicketFacts

GROWTH = 1.1
SCORES = (1, 2, 3, 4, 5)


def duration_bucket(seconds: float) -> int:
    """0 for under a second, then one bucket per 10% of growth."""
    if seconds < 1:
        return 0
    return 1 + int(math.log(seconds) / math.log(GROWTH))


def bucket_seconds(bucket: int) -> float:
    """The middle of a bucket (geometric), the value a percentile reports."""
    if bucket == 0:
        return 0.5
    return float(GROWTH ** (bucket - 1) * math.sqrt(GROWTH))


def percentile(histogram: Counter[int], share: float) -> float | None:
    total = sum(histogram.values())
    if total == 0:
        return None
    rank = max(1, math.ceil(share * total))
    seen = 0
    for bucket in sorted(histogram):
        seen += histogram[bucket]
        if seen >= rank:
            return bucket_seconds(bucket)
    return bucket_seconds(max(histogram))


@dataclass
class Tally:
    created: int = 0
    closed: int = 0
    rated: int = 0
    score_sum: int = 0
    scores: Counter[int] = field(default_factory=Counter)
    closed_messages: int = 0
    first_response: Counter[int] = field(default_factory=Counter)
    resolution: Counter[int] = field(default_factory=Counter)

    def add(self, other: Tally, sign: int = 1) -> None:
        self.created += sign * other.created
        self.closed += sign * other.closed
        self.rated += sign * other.rated
        self.score_sum += sign * other.score_sum
        self.closed_messages += sign * other.closed_messages
        for mine, theirs in (
            (self.scores, other.scores),
            (self.first_response, other.first_response),
            (self.resolution, other.resolution),
        ):
            for key, count in theirs.items():
                mine[key] += sign * count
                if mine[key] == 0:
                    del mine[key]

    @property
    def empty(self) -> bool:
        return not (
            self.created
            or self.closed
            or self.rated
            or self.closed_messages
            or self.first_response
            or self.resolution
        )


CellKey = tuple[date, str, str]  # local day, operator id ("" for nobody), category ("" for none)
# whose tickets a series sums: (operator id, category), None standing for every operator or category
SeriesKey = tuple[str | None, str | None]


def contribution(facts: TicketFacts, zone: ZoneInfo) -> dict[CellKey, Tally]:
    """What one ticket adds to the cells."""
    cells: dict[CellKey, Tally] = {}
    operator = facts.operator_id or (facts.review.operator_id if facts.review else "")

    def cell(moment: datetime) -> Tally:
        key = (moment.astimezone(zone).date(), operator, facts.category)
        return cells.setdefault(key, Tally())

    if facts.created_at is not None:
        opened = cell(facts.created_at)
        opened.created += 1
        if (first_response := facts.first_response_s) is not None:
            opened.first_response[duration_bucket(first_response)] += 1
    if facts.closed_at is not None:
        closed = cell(facts.closed_at)
        closed.closed += 1
        closed.closed_messages += facts.message_count
        if (resolution := facts.resolution_s) is not None:
            closed.resolution[duration_bucket(resolution)] += 1
        if facts.review is not None and facts.review.score in SCORES:
            closed.rated += 1
            closed.score_sum += facts.review.score
            closed.scores[facts.review.score] += 1
    return cells


class Ledger:
    """Every series' per-day tallies, changed by the difference between a ticket's old and new
    contribution. A cell is kept four times: for its operator and category, for its operator in every
    category, for its category under every operator, and for the whole desk, so a range's figures sum
    one tally per day whatever the filter (a 90-day summary reads 90 tallies, not every cell)."""

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.series: dict[SeriesKey, dict[date, Tally]] = {}

    def change(self, before: TicketFacts | None, after: TicketFacts) -> None:
        if before is not None:
            for key, tally in contribution(before, self.zone).items():
                self._add(key, tally, -1)
        for key, tally in contribution(after, self.zone).items():
            self._add(key, tally, 1)

    def days(self, operator: str | None = None, category: str | None = None) -> dict[date, Tally]:
        """The per-day tallies of one operator's (None: everyone's) tickets of one category (None: all)."""
        return self.series.get((operator, category), {})

    def operators(self, category: str | None = None) -> list[str]:
        """The operators with tickets (of `category`), "" for the tickets nobody took."""
        return sorted(op for op, cat in self.series if op is not None and cat == category)

    def categories(self, operator: str | None = None) -> list[str]:
        """The categories with tickets (of `operator`), "" for the uncategorised."""
        return sorted(cat for op, cat in self.series if cat is not None and op == operator)

    def _add(self, key: CellKey, tally: Tally, sign: int) -> None:
        day, operator, category = key
        for series_key in ((operator, category), (operator, None), (None, category), (None, None)):
            days = self.series.setdefault(series_key, {})
            cell = days.get(day)
            if cell is None:
                cell = days[day] = Tally()
            cell.add(tally, sign)
            if cell.empty:
                del days[day]
                if not days:
                    del self.series[series_key]
