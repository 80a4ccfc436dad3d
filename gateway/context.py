"""Everything the routes use, built once at start-up and closed at shutdown."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import grpc
import redis.asyncio as redis_async
from minio import Minio
from pymongo import AsyncMongoClient

from gateway.core.config import Settings
from gateway.domain.accounts import Accounts
from gateway.domain.attachments import AttachmentStore
from gateway.domain.file_links import FileLinks
from gateway.domain.operators import OperatorRepository
from gateway.domain.read_markers import ReadMarkers
from gateway.domain.sessions import LoginLimiter, SessionStore
from gateway.domain.templates import TemplateRepository
from gateway.domain.typing_indicator import TypingPublisher
from t1.ml.v1 import hints_service_pb2
from t1.ml.v1 import hints_service_pb2_grpc as hints_grpc
from t1.stats.v1 import stats_service_pb2
from t1.stats.v1 import stats_service_pb2_grpc as stats_grpc
from t1.tickets.v1 import ticket_service_pb2
from t1.tickets.v1 import ticket_service_pb2_grpc as tickets_grpc
from t1lib.access import AccessGuard
from t1lib.grpc.client import open_channel
from t1lib.health import (
    GrpcCheck,
    HttpCheck,
    KafkaCheck,
    MongoCheck,
    Readiness,
    RedisCheck,
    S3Check,
)
from t1lib.kafka.producer import EventProducer
from t1lib.kafka.topics import registry_with_prefix
from t1lib.stores import ensure_bucket, mongo_client, redis_client, s3_client

TICKET_SERVICE = ticket_service_pb2.DESCRIPTOR.services_by_name["TicketService"].full_name
HINTS_SERVICE = hints_service_pb2.DESCRIPTOR.services_by_name["HintsService"].full_name
STATS_SERVICE = stats_service_pb2.DESCRIPTOR.services_by_name["StatsService"].full_name


@dataclass
class AppContext:
    settings: Settings
    mongo: AsyncMongoClient[dict[str, Any]]
    redis: redis_async.Redis
    channel: grpc.aio.Channel
    tickets: tickets_grpc.TicketServiceAsyncStub
    ml_channel: grpc.aio.Channel
    hints: hints_grpc.HintsServiceAsyncStub
    stats_channel: grpc.aio.Channel
    stats: stats_grpc.StatsServiceAsyncStub
    operators: OperatorRepository
    access: AccessGuard
    accounts: Accounts
    sessions: SessionStore
    login_limiter: LoginLimiter
    read_markers: ReadMarkers
    file_links: FileLinks
    attachments: AttachmentStore
    templates: TemplateRepository
    typing: TypingPublisher
    readiness: Readiness

    @classmethod
    async def create(cls, settings: Settings) -> AppContext:
        mongo = mongo_client(settings)
        redis = redis_client(settings)
        s3 = s3_client(settings)
        await ensure_bucket(s3, settings.s3_bucket)
        channel = open_channel(settings.tickets_grpc_addr, settings.service_token, settings.grpc_timeout_s)
        ml_channel = open_channel(settings.ml_grpc_addr, settings.service_token, settings.grpc_timeout_s)
        stats_channel = open_channel(
            settings.stats_grpc_addr, settings.service_token, settings.grpc_timeout_s
        )
        operators = OperatorRepository(mongo, settings.mongo_db)
        await operators.create_indexes()
        access = AccessGuard(redis)
        file_links = FileLinks(settings.jwt_secret.get_secret_value(), settings.file_link_ttl_s)
        producer = typing_producer(settings)
        return cls(
            settings=settings,
            mongo=mongo,
            redis=redis,
            channel=channel,
            tickets=tickets_grpc.TicketServiceStub(channel),
            ml_channel=ml_channel,
            hints=hints_grpc.HintsServiceStub(ml_channel),
            stats_channel=stats_channel,
            stats=stats_grpc.StatsServiceStub(stats_channel),
            operators=operators,
            access=access,
            accounts=Accounts(operators, access),
            sessions=SessionStore(redis, access, settings.refresh_token_ttl_s),
            login_limiter=LoginLimiter(
                redis,
                settings.login_attempts_per_window,
                settings.login_attempts_per_client,
                settings.login_window_s,
            ),
            file_links=file_links,
            read_markers=ReadMarkers(redis),
            attachments=AttachmentStore(s3, settings.s3_bucket, file_links),
            templates=TemplateRepository(mongo, settings.mongo_db),
            typing=TypingPublisher(producer),
            readiness=readiness(settings, mongo, redis, s3, producer, channel, ml_channel, stats_channel),
        )

    async def close(self) -> None:
        await asyncio.to_thread(self.typing.close)
        await self.channel.close()
        await self.ml_channel.close()
        await self.stats_channel.close()
        await self.redis.aclose()
        await self.mongo.close()


def readiness(
    settings: Settings,
    mongo: AsyncMongoClient[dict[str, Any]],
    redis: redis_async.Redis,
    s3: Minio,
    producer: EventProducer,
    tickets: grpc.aio.Channel,
    ml: grpc.aio.Channel,
    stats: grpc.aio.Channel,
) -> Readiness:
    """Required: what logging in and working the tickets needs (MongoDB: operators; Redis: sessions;
    message_saver: the tickets). The rest degrades the console (200, status "degraded"): ml (hints,
    drafts, knowledge base), stats (the statistics page), notifications (live updates: the console
    reloads over REST), S3 (files), Kafka (only «печатает…» to the customer)."""
    return Readiness(
        [
            MongoCheck(mongo),
            RedisCheck(redis),
            GrpcCheck("message_saver", tickets, TICKET_SERVICE),
            GrpcCheck("ml", ml, HINTS_SERVICE, required=False),
            GrpcCheck("stats", stats, STATS_SERVICE, required=False),
            HttpCheck("notifications", notifications_probe_url(settings.notifications_ws_url), False),
            S3Check(s3, settings.s3_bucket, required=False),
            KafkaCheck(producer, required=False),
        ]
    )


def notifications_probe_url(ws_url: str) -> str:
    """notifications' /readyz beside its WebSocket endpoint: ws://host:port/ws → http://host:port/readyz."""
    parts = urlsplit(ws_url)
    scheme = "https" if parts.scheme == "wss" else "http"
    return urlunsplit((scheme, parts.netloc, "/readyz", "", ""))


def typing_producer(settings: Settings) -> EventProducer:
    """The gateway's one topic, operator_typing: an event not delivered within 5 s is of no use."""
    return EventProducer(
        settings.kafka_bootstrap,
        "gateway",
        registry=registry_with_prefix(settings.kafka_topic_prefix),
        extra_config={"linger.ms": settings.kafka_linger_ms, "delivery.timeout.ms": 5000},
    )
