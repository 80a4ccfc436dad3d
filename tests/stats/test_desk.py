"""The stats desk on the real FerretDB: the two topics' batches touching one new ticket at once, and a
batch whose facts were partly stored by an earlier, failed attempt."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection

from services.stats import convert
from services.stats.desk import StatsDesk
from services.stats.facts import Review, TicketFacts, TicketSnapshot
from services.stats.figures import Scope

pytestmark = pytest.mark.integration

MINSK = ZoneInfo("Europe/Minsk")
OPENED = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY = date(2026, 11, 2)


@pytest.fixture
async def facts(engines: dict[str, str]) -> AsyncIterator[AsyncCollection[dict[str, Any]]]:
    client: AsyncMongoClient[dict[str, Any]] = AsyncMongoClient(engines["T1_MONGO_URL"])
    database = f"test_stats_desk_{uuid.uuid4().hex[:10]}"
    yield client[database]["stats_tickets"]
    await client.drop_database(database)
    await client.close()


def closed_snapshot(ticket_id: str) -> TicketSnapshot:
    return TicketSnapshot(
        ticket_id=ticket_id,
        updated_at=OPENED + timedelta(hours=1),
        event_id=f"close-{ticket_id}",
        created_at=OPENED,
        closed_at=OPENED + timedelta(hours=1),
        operator_id="op-1",
        category="Карты",
        message_count=4,
    )


def review(ticket_id: str, score: int) -> Review:
    return Review(ticket_id, f"review-{ticket_id}", "op-1", score, "", OPENED + timedelta(hours=2))


async def test_a_review_and_the_tickets_own_events_applied_at_once_both_count(
    facts: AsyncCollection[dict[str, Any]],
) -> None:
    desk = StatsDesk(facts, MINSK)
    tickets = [f"t-{index}" for index in range(20)]
    await asyncio.gather(
        desk.apply([closed_snapshot(ticket_id) for ticket_id in tickets]),
        desk.apply([review(ticket_id, 5) for ticket_id in tickets]),
    )
    figures = desk.summary(Scope(DAY, DAY))
    assert (figures.tickets_created, figures.tickets_closed, figures.ratings_count) == (20, 20, 20)
    stored = [convert.facts_of(doc) async for doc in facts.find({})]
    assert len(stored) == 20
    assert all(item.closed_at is not None and item.review is not None for item in stored)

    reloaded = StatsDesk(facts, MINSK)
    assert await reloaded.load() == 20
    assert reloaded.summary(Scope(DAY, DAY)) == figures


async def test_facts_already_stored_by_a_failed_attempt_are_replaced_not_refused(
    facts: AsyncCollection[dict[str, Any]],
) -> None:
    # An earlier attempt inserted one ticket of the batch before it failed; the desk never learnt of it.
    await facts.insert_one(convert.facts_doc(TicketFacts("t-stored", created_at=OPENED)))
    desk = StatsDesk(facts, MINSK)
    await desk.apply([closed_snapshot("t-stored"), closed_snapshot("t-new"), review("t-stored", 2)])
    figures = desk.summary(Scope(DAY, DAY))
    assert (figures.tickets_created, figures.ratings_count, figures.csat_average) == (2, 1, 2.0)
    stored = {doc["_id"]: convert.facts_of(doc) async for doc in facts.find({})}
    assert set(stored) == {"t-stored", "t-new"}
    assert stored["t-stored"].review is not None
    assert stored["t-stored"].closed_at is not None
