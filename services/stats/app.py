"""Wiring of one stats instance: the facts in MongoDB, the consumer of reviews_topic and
websocket_notifications (its own group), and the gRPC StatsService."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import grpc
from prometheus_client import Counter, Gauge
from pymongo import AsyncMongoClient

from services.stats import convert
from services.stats.config import StatsSettings
from services.stats.desk import FACTS_COLLECTION, StatsDesk, today
from services.stats.facts import MessageFact, Review, TicketSnapshot
from services.stats.figures import Scope
from services.stats.servicer import StatsServicer
from t1.notifications.v1 import events_pb2 as notifications
from t1.stats.v1 import events_pb2 as stats_events
from t1.stats.v1 import stats_service_pb2 as api
from t1.stats.v1 import stats_service_pb2_grpc as api_grpc
from t1lib.grpc.server import start_server
from t1lib.health import KafkaCheck, MongoCheck, Readiness
from t1lib.kafka.admin import ensure_service_topics
from t1lib.kafka.consumer import EventConsumer, EventContext
from t1lib.kafka.producer import EventProducer
from t1lib.kafka.topics import TopicRegistry, registry_with_prefix
from t1lib.stores import mongo_client

logger = logging.getLogger(__name__)

SERVICE_NAME = api.DESCRIPTOR.services_by_name["StatsService"].full_name
REVIEWS = Counter("t1_stats_reviews_total", "Ratings received from reviews_topic")
TICKETS = Gauge("t1_stats_tickets", "Tickets stats knows of")
CSAT = Gauge("t1_stats_csat_average", "Mean rating of the tickets closed in the last 30 days (0: none rated)")
CSAT_DAYS = 30


def show_csat(desk: StatsDesk) -> None:
    last = today(desk.zone)
    figures = desk.summary(Scope(last - timedelta(days=CSAT_DAYS - 1), last))
    CSAT.set(figures.csat_average or 0.0)


def notification_facts(event: notifications.WebsocketNotification) -> list[TicketSnapshot | MessageFact]:
    found: list[TicketSnapshot | MessageFact] = []
    snapshot = convert.snapshot_of(event)
    if snapshot is not None:
        found.append(snapshot)
    message = convert.message_of(event)
    if message is not None:
        found.append(message)
    return found


@dataclass
class App:
    settings: StatsSettings
    registry: TopicRegistry
    mongo: AsyncMongoClient[dict[str, Any]]
    desk: StatsDesk
    consumer: EventConsumer
    producer: EventProducer
    readiness: Readiness = field(default_factory=lambda: Readiness([]))
    port: int = 0
    _server: grpc.aio.Server | None = field(default=None, repr=False)
    _consuming: asyncio.Task[None] | None = field(default=None, repr=False)

    @property
    def address(self) -> str:
        return f"{self.settings.grpc_host}:{self.port}"

    async def start(self) -> None:
        settings = self.settings
        await ensure_service_topics(settings, self.registry)
        TICKETS.set(await self.desk.load())
        show_csat(self.desk)
        self._consuming = asyncio.create_task(self.consumer.run(), name="stats-consumer")
        self._server, self.port = await start_server(
            f"{settings.grpc_host}:{settings.grpc_port}",
            lambda server: api_grpc.add_StatsServiceServicer_to_server(StatsServicer(self.desk), server),
            [SERVICE_NAME],
            token=settings.service_token,
            readiness=self.readiness,
        )

    async def wait(self, stop: asyncio.Event) -> None:
        """Until `stop`, or until the consumer fails (its error stops the service)."""
        assert self._consuming is not None
        stopping = asyncio.create_task(stop.wait())
        await asyncio.wait({stopping, self._consuming}, return_when=asyncio.FIRST_COMPLETED)
        if self._consuming.done():
            stopping.cancel()
            self._consuming.result()
            raise RuntimeError("the stats consumer stopped unexpectedly")

    async def stop(self) -> None:
        self.consumer.stop()
        if self._consuming is not None:
            with contextlib.suppress(Exception):
                await self._consuming
        try:
            if self._server is not None:
                await self._server.stop(grace=self.settings.grpc_grace_s)
        finally:
            await asyncio.to_thread(self.producer.close)
            await self.mongo.close()


async def build_app(settings: StatsSettings, registry: TopicRegistry | None = None) -> App:
    """An instance on `settings`; `registry` overrides the topics (tests)."""
    registry = registry or registry_with_prefix(settings.kafka_topic_prefix)
    mongo = mongo_client(settings)
    desk = StatsDesk(mongo[settings.mongo_db][FACTS_COLLECTION], settings.zone)
    producer = EventProducer.for_service(settings, settings.service_name, registry=registry)

    async def on_notifications(items: list[tuple[notifications.WebsocketNotification, EventContext]]) -> None:
        TICKETS.set(
            await desk.apply(fact for event, _context in items for fact in notification_facts(event)) + 0
        )

    async def on_notification(event: notifications.WebsocketNotification, _context: EventContext) -> None:
        await desk.apply(notification_facts(event))

    async def on_reviews(items: list[tuple[stats_events.ReviewSubmitted, EventContext]]) -> None:
        await desk.apply([convert.review_of(event) for event, _context in items])
        REVIEWS.inc(len(items))
        show_csat(desk)

    async def on_review(event: stats_events.ReviewSubmitted, _context: EventContext) -> None:
        review: Review = convert.review_of(event)
        await desk.apply([review])
        REVIEWS.inc()
        show_csat(desk)

    consumer = EventConsumer.for_service(
        settings,
        group_id=settings.consumer_group,
        handlers={
            notifications.WebsocketNotification: on_notification,
            stats_events.ReviewSubmitted: on_review,
        },
        batch_handlers={
            notifications.WebsocketNotification: on_notifications,
            stats_events.ReviewSubmitted: on_reviews,
        },
        dlq_producer=producer,
        registry=registry,
    )
    readiness = Readiness([KafkaCheck(producer), MongoCheck(mongo)])
    return App(settings, registry, mongo, desk, consumer, producer, readiness)
