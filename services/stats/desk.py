"""The stats service's state: every ticket's facts (stored in MongoDB `stats_tickets`, the only copy of
them the service owns) and the ledger of per-day cells derived from them (in memory, rebuilt from the
facts at start). A batch of events becomes new facts; only the facts whose durable part changed are
written (TicketFacts.durable: a ticket is written when it opens, gets its first reply, is assigned or
categorised, closes and is rated, not for every message), and the memory and the ledger follow once the
write succeeded, so a failed write leaves nothing half applied and the events, consumed again, change the
same facts. Batches apply one at a time (the two topics' handlers run concurrently and may touch the same
ticket: a review of a ticket whose notifications are in flight)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from pymongo import ReplaceOne
from pymongo.asynchronous.collection import AsyncCollection
from pymongo.errors import BulkWriteError

from services.stats import convert
from services.stats.facts import MessageFact, Review, TicketFacts, TicketSnapshot
from services.stats.figures import Scope, Summary, by_category, by_operator, daily, summary
from services.stats.tally import Ledger
from t1lib.errors import InvalidArgumentError

logger = logging.getLogger(__name__)

FACTS_COLLECTION = "stats_tickets"
MAX_SCOPE_DAYS = 366
DUPLICATE_KEY = 11000

Event = TicketSnapshot | MessageFact | Review


class StatsDesk:
    def __init__(self, facts: AsyncCollection[dict[str, Any]], zone: ZoneInfo) -> None:
        self._collection = facts
        self.zone = zone
        self.ledger = Ledger(zone)
        self._facts: dict[str, TicketFacts] = {}
        self._applying = asyncio.Lock()

    async def load(self) -> int:
        """Read every ticket's facts and build the ledger from them; returns how many."""
        started = time.perf_counter()
        self._facts.clear()
        self.ledger = Ledger(self.zone)
        async for doc in self._collection.find({}):
            facts = convert.facts_of(doc)
            self._facts[facts.ticket_id] = facts
            self.ledger.change(None, facts)
        logger.info("stats loaded %d tickets in %.1f s", len(self._facts), time.perf_counter() - started)
        return len(self._facts)

    async def apply(self, events: Iterable[Event]) -> int:
        """Merge the events into the tickets' facts; returns how many tickets changed. Only the facts whose
        durable part changed are written (most messages change nothing durable): new tickets in one insert,
        the others replaced."""
        async with self._applying:
            return await self._apply(list(events))

    async def _apply(self, events: list[Event]) -> int:
        changed: dict[str, TicketFacts] = {}
        for event in events:
            current = (
                changed.get(event.ticket_id)
                or self._facts.get(event.ticket_id)
                or TicketFacts(event.ticket_id)
            )
            merged = _merge(current, event)
            if merged != current:
                changed[event.ticket_id] = merged
        if not changed:
            return 0
        new = [facts for ticket_id, facts in changed.items() if ticket_id not in self._facts]
        rewritten = [
            facts
            for ticket_id, facts in changed.items()
            if ticket_id in self._facts and facts.durable() != self._facts[ticket_id].durable()
        ]
        if new:
            rewritten += await self._insert(new)
        if rewritten:
            await self._collection.bulk_write(
                [
                    ReplaceOne({"_id": facts.ticket_id}, convert.facts_doc(facts), upsert=True)
                    for facts in rewritten
                ],
                ordered=False,
            )
        for ticket_id, facts in changed.items():
            self.ledger.change(self._facts.get(ticket_id), facts)
            self._facts[ticket_id] = facts
        return len(changed)

    async def _insert(self, new: list[TicketFacts]) -> list[TicketFacts]:
        """Insert new tickets' facts; returns those already stored (a batch that failed after part of its
        insert was written comes again), which are to be replaced instead."""
        try:
            await self._collection.insert_many([convert.facts_doc(facts) for facts in new], ordered=False)
        except BulkWriteError as error:
            errors = error.details.get("writeErrors", [])
            if any(item.get("code") != DUPLICATE_KEY for item in errors):
                raise
            return [new[item["index"]] for item in errors]
        return []

    @property
    def tickets(self) -> int:
        return len(self._facts)

    def rating(self, ticket_id: str) -> Review | None:
        facts = self._facts.get(ticket_id)
        return None if facts is None else facts.review

    def summary(self, scope: Scope) -> Summary:
        return summary(self.ledger, _checked(scope))

    def operators(self, scope: Scope) -> dict[str, Summary]:
        return by_operator(self.ledger, _checked(scope))

    def categories(self, scope: Scope) -> dict[str, Summary]:
        return by_category(self.ledger, _checked(scope))

    def daily(self, scope: Scope) -> list[tuple[date, Summary]]:
        return daily(self.ledger, _checked(scope))


def _merge(facts: TicketFacts, event: Event) -> TicketFacts:
    if isinstance(event, TicketSnapshot):
        return facts.with_snapshot(event)
    if isinstance(event, MessageFact):
        return facts.with_message(event)
    return facts.with_review(event)


def parse_scope(first_day: str, last_day: str, operator_id: str = "", category: str = "") -> Scope:
    """A scope from "YYYY-MM-DD" days; InvalidArgumentError with the reason otherwise."""
    try:
        first, last = date.fromisoformat(first_day), date.fromisoformat(last_day)
    except ValueError as error:
        raise InvalidArgumentError(f"дни задаются как ГГГГ-ММ-ДД: {error}") from error
    return _checked(Scope(first, last, operator_id.strip(), category.strip()))


def _checked(scope: Scope) -> Scope:
    if scope.last < scope.first:
        raise InvalidArgumentError("последний день раньше первого")
    if (scope.last - scope.first).days >= MAX_SCOPE_DAYS:
        raise InvalidArgumentError(f"не больше {MAX_SCOPE_DAYS} дней за один запрос")
    return scope


def today(zone: ZoneInfo) -> date:
    return datetime.now(zone).date()
