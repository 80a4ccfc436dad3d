"""stats in-process on the real engines: figures from websocket_notifications and reviews_topic, a
redelivered review counted once, a changed rating replacing the old one, the figures surviving a restart
(read back from MongoDB), bad days refused."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta

import grpc
import pytest
from pymongo import AsyncMongoClient

from services.stats.app import App, build_app
from services.stats.config import StatsSettings
from services.stats.desk import FACTS_COLLECTION
from services.stats.replay import replay
from t1.notifications.v1 import events_pb2 as notifications
from t1.stats.v1 import events_pb2 as stats_events
from t1.stats.v1 import stats_service_pb2 as api
from t1.stats.v1 import stats_service_pb2_grpc as api_grpc
from t1.tickets.v1 import ticket_pb2 as tickets
from t1lib.events import new_event
from t1lib.grpc.client import open_channel
from t1lib.kafka.producer import EventProducer
from t1lib.kafka.topics import TopicRegistry
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # 12:00 on 2 November in Minsk
DAY = "2026-11-02"


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


def ticket(
    ticket_id: str,
    minutes: float,
    *,
    status: tickets.TicketStatus = tickets.TICKET_STATUS_OPEN,
    assignee: str = "",
    messages: int = 1,
) -> tickets.Ticket:
    proto = tickets.Ticket(
        id=ticket_id, status=status, assignee_id=assignee, category="Карты", message_count=messages
    )
    proto.created_at.FromDatetime(T0)
    proto.updated_at.FromDatetime(at(minutes))
    if status == tickets.TICKET_STATUS_CLOSED:
        proto.closed_at.FromDatetime(at(minutes))
    return proto


def notification(
    kind: str, snapshot: tickets.Ticket, message: tickets.Message | None = None
) -> notifications.WebsocketNotification:
    return new_event(
        notifications.WebsocketNotification,
        ticket_id=snapshot.id,
        type=kind,
        ticket=snapshot,
        message=message,
    )


def message(ticket_id: str, id_: str, minutes: float, direction: tickets.MessageDirection) -> tickets.Message:
    proto = tickets.Message(id=id_, ticket_id=ticket_id, direction=direction, text="…")
    proto.created_at.FromDatetime(at(minutes))
    return proto


def review(
    ticket_id: str, score: int, minutes: float, event_id: str | None = None
) -> stats_events.ReviewSubmitted:
    event = stats_events.ReviewSubmitted(
        event_id=event_id or str(uuid.uuid4()),
        ticket_id=ticket_id,
        operator_id="op-1",
        rating=score,
        chat_id=1,
    )
    event.occurred_at.FromDatetime(at(minutes))
    event.rated_at.FromDatetime(at(minutes))
    return event


@pytest.fixture
def settings(engines: dict[str, str], registry: TopicRegistry) -> StatsSettings:
    return StatsSettings(
        mongo_db=f"test_stats_{uuid.uuid4().hex[:10]}",
        consumer_group=f"stats-{uuid.uuid4().hex[:8]}",
        grpc_port=0,
    )


@pytest.fixture
async def running(
    settings: StatsSettings, registry: TopicRegistry
) -> AsyncIterator[Callable[[], Awaitable[App]]]:
    apps: list[App] = []

    async def start() -> App:
        app = await build_app(settings, registry)
        await app.start()
        apps.append(app)
        return app

    yield start
    for app in apps:
        await app.stop()
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(settings.mongo_url)
    await client.drop_database(settings.mongo_db)
    await client.close()


async def summary_when(
    stub: api_grpc.StatsServiceAsyncStub, ready: Callable[[api.Figures], bool]
) -> api.Figures:
    """The day's figures once `ready` holds for them."""
    request = api.GetSummaryRequest(scope=api.Scope(first_day=DAY, last_day=DAY))
    seen: list[api.Figures] = []

    async def check() -> bool:
        seen.append((await stub.GetSummary(request)).figures)
        return ready(seen[-1])

    await eventually(check, what="the figures")
    return seen[-1]


async def test_figures_count_a_redelivered_review_once_follow_a_changed_rating_and_survive_a_restart(
    running: Callable[[], Awaitable[App]], producer: EventProducer, settings: StatsSettings
) -> None:
    app = await running()
    customer, operator = tickets.MESSAGE_DIRECTION_CUSTOMER, tickets.MESSAGE_DIRECTION_OPERATOR
    first = review("t-1", 4, 31)
    events = [
        notification("ticket.created", ticket("t-1", 0), message("t-1", "m1", 0, customer)),
        notification(
            "ticket.updated", ticket("t-1", 2, status=tickets.TICKET_STATUS_ASSIGNED, assignee="op-1")
        ),
        notification(
            "message.created",
            ticket("t-1", 4, status=tickets.TICKET_STATUS_ASSIGNED, assignee="op-1"),
            message("t-1", "m2", 4, operator),
        ),
        notification(
            "ticket.updated",
            ticket("t-1", 30, status=tickets.TICKET_STATUS_CLOSED, assignee="op-1", messages=2),
        ),
        first,
        first,  # a redelivery: counted once
        review("t-1", 5, 40),  # the customer changed the rating; also the sentinel for the duplicate
    ]
    for event in events:
        await producer.publish(event)
    async with open_channel(app.address, settings.service_token) as channel:
        stub: api_grpc.StatsServiceAsyncStub = api_grpc.StatsServiceStub(channel)
        figures = await summary_when(stub, lambda f: f.ratings_count >= 1 and f.csat_average == 5.0)
        assert (figures.tickets_created, figures.tickets_closed, figures.backlog) == (1, 1, 0)
        assert (figures.ratings_count, figures.csat_average) == (1, 5.0)
        assert list(figures.csat_distribution) == [0, 0, 0, 0, 1]
        assert figures.rating_response_rate == 1.0
        assert figures.messages_per_ticket == 2
        assert figures.first_response_p50_seconds == pytest.approx(240, rel=0.05)
        assert figures.resolution_p90_seconds == pytest.approx(1800, rel=0.05)
        rating = (await stub.GetTicketRating(api.GetTicketRatingRequest(ticket_id="t-1"))).rating
        assert rating.score == 5
        assert not (await stub.GetTicketRating(api.GetTicketRatingRequest(ticket_id="t-none"))).HasField(
            "rating"
        )
        listed = await stub.ListTicketRatings(
            api.ListTicketRatingsRequest(ticket_ids=["t-none", "t-1", "t-1"])
        )
        assert [(item.ticket_id, item.rating.score) for item in listed.ratings] == [("t-1", 5)]
        with pytest.raises(grpc.aio.AioRpcError) as too_many:
            await stub.ListTicketRatings(api.ListTicketRatingsRequest(ticket_ids=["t"] * 501))
        assert too_many.value.code() == grpc.StatusCode.INVALID_ARGUMENT
        rows = await stub.ListOperatorSummaries(
            api.ListOperatorSummariesRequest(scope=api.Scope(first_day=DAY, last_day=DAY))
        )
        assert [(row.operator_id, row.figures.tickets_closed) for row in rows.operators] == [("op-1", 1)]
        with pytest.raises(grpc.aio.AioRpcError) as refused:
            await stub.GetSummary(
                api.GetSummaryRequest(scope=api.Scope(first_day="02.11.2026", last_day=DAY))
            )
        assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT

    await app.stop()
    again = await running()
    async with open_channel(again.address, settings.service_token) as channel:
        stub = api_grpc.StatsServiceStub(channel)
        after_restart = (
            await stub.GetSummary(api.GetSummaryRequest(scope=api.Scope(first_day=DAY, last_day=DAY)))
        ).figures
        assert after_restart == figures

    # replay: the facts dropped and the group forgotten, the next start derives the same figures again
    # from the topics.
    await again.stop()
    done = await replay(settings)
    assert "dropped" in done
    client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(settings.mongo_url)
    try:
        assert await client[settings.mongo_db][FACTS_COLLECTION].count_documents({}) == 0
    finally:
        await client.close()
    rebuilt = await running()
    async with open_channel(rebuilt.address, settings.service_token) as channel:
        stub = api_grpc.StatsServiceStub(channel)
        replayed = await summary_when(stub, lambda f: f == figures)
        assert replayed == figures
