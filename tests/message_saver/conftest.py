"""message_saver in-process on the real engines: topics under a prefix unique to the test, a Mongo
database unique to the test (dropped afterwards), gRPC on a free port, and a reader of what it publishes."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import grpc
import pytest
from confluent_kafka.admin import AdminClient
from google.protobuf.message import Message
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from services.message_saver.app import App, build_app
from services.message_saver.config import MessageSaverSettings
from t1.notifications.v1 import events_pb2 as notifications
from t1.summarizer.v1 import events_pb2 as summarizer
from t1.tickets.v1 import events_pb2 as tickets_events
from t1.tickets.v1 import ticket_pb2 as pb
from t1.tickets.v1 import ticket_service_pb2_grpc as api_grpc
from t1lib.events import new_event, timestamp
from t1lib.grpc.client import open_channel
from t1lib.kafka.admin import all_topic_names, ensure_topics
from t1lib.kafka.producer import EventProducer
from t1lib.kafka.topics import EVENT_TYPES, TopicRegistry, dlq_topic
from t1lib.stores import mongo_client
from tests.support.kafka import PARTITIONS, Reader, Record

Doc = dict[str, Any]


def customer(chat_id: int, first_name: str = "Иван", last_name: str = "Петров") -> pb.Customer:
    return pb.Customer(
        telegram_user_id=chat_id,
        chat_id=chat_id,
        first_name=first_name,
        last_name=last_name,
        username=f"клиент_{chat_id}",
        language_code="ru",
    )


def customer_message(
    chat_id: int,
    telegram_message_id: int,
    text: str = "Здравствуйте! Не проходит оплата картой",
    *,
    edited: bool = False,
    attachments: tuple[pb.Attachment, ...] = (),
    who: pb.Customer | None = None,
) -> tickets_events.TicketCreated:
    return new_event(
        tickets_events.TicketCreated,
        chat_id=chat_id,
        customer=who or customer(chat_id),
        telegram_message_id=telegram_message_id,
        text=text,
        attachments=list(attachments),
        edited=edited,
        sent_at=timestamp(),
    )


@dataclass
class Harness:
    bootstrap: str
    registry: TopicRegistry
    settings: MessageSaverSettings
    db: AsyncDatabase[Doc]
    producer: EventProducer
    reader: Reader
    apps: list[App] = field(default_factory=list)
    channels: list[grpc.aio.Channel] = field(default_factory=list)

    def topic(self, event_type: type[Message]) -> str:
        return self.registry.for_message(event_type).name

    async def start_app(self) -> App:
        app = await build_app(self.settings, self.registry)
        self.apps.append(app)
        await app.start()
        return app

    def stub(self, app: App) -> api_grpc.TicketServiceAsyncStub:
        channel = open_channel(f"127.0.0.1:{app.port}", app.settings.service_token, default_timeout_s=10)
        self.channels.append(channel)
        return api_grpc.TicketServiceStub(channel)

    async def send(self, *events: Message) -> None:
        for event in events:
            await self.producer.publish(event)

    def notifications(self, kind: str | None = None) -> list[notifications.WebsocketNotification]:
        found = [
            record.event for record in self.reader.records(self.topic(notifications.WebsocketNotification))
        ]
        return [
            event
            for event in found
            if isinstance(event, notifications.WebsocketNotification) and (kind is None or event.type == kind)
        ]

    def title_requests(self) -> list[summarizer.ChatTitleRequest]:
        found = [record.event for record in self.reader.records(self.topic(summarizer.ChatTitleRequest))]
        return [event for event in found if isinstance(event, summarizer.ChatTitleRequest)]

    def dead_letters(self, event_type: type[Message]) -> list[Record]:
        return self.reader.records(dlq_topic(self.topic(event_type)))

    async def tickets(self, **query: Any) -> list[Doc]:
        return [doc async for doc in self.db["tickets"].find(query)]

    async def messages(self, **query: Any) -> list[Doc]:
        return [doc async for doc in self.db["messages"].find(query)]


@pytest.fixture
def bootstrap(engines: dict[str, str]) -> str:
    return engines["T1_KAFKA_BOOTSTRAP"]


@pytest.fixture
async def registry(bootstrap: str) -> AsyncIterator[TopicRegistry]:
    registry = TopicRegistry(EVENT_TYPES, prefix=f"test-ms-{uuid.uuid4().hex[:10]}.")
    await asyncio.to_thread(ensure_topics, bootstrap, registry, partitions=PARTITIONS)
    yield registry
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for future in admin.delete_topics(all_topic_names(registry), operation_timeout=10).values():
        await asyncio.to_thread(future.result, 15)


@pytest.fixture
def settings(engines: dict[str, str], tmp_path: Path) -> MessageSaverSettings:
    suffix = uuid.uuid4().hex[:10]
    return MessageSaverSettings(
        kafka_bootstrap=engines["T1_KAFKA_BOOTSTRAP"],
        mongo_url=engines["T1_MONGO_URL"],
        mongo_db=f"ms_test_{suffix}",
        grpc_host="127.0.0.1",
        grpc_port=0,
        grpc_grace_s=1,
        consumer_group=f"message_saver-{suffix}",
        kafka_max_attempts=2,
        kafka_retry_backoff_s=0.05,
        search_dir=str(tmp_path / "search"),
    )


@pytest.fixture
async def harness(
    bootstrap: str, registry: TopicRegistry, settings: MessageSaverSettings
) -> AsyncIterator[Harness]:
    client: AsyncMongoClient[Doc] = mongo_client(settings)
    producer = EventProducer(bootstrap, "test-bot", registry=registry)
    topics = [
        registry.for_message(notifications.WebsocketNotification).name,
        registry.for_message(summarizer.ChatTitleRequest).name,
        dlq_topic(registry.for_message(tickets_events.TicketCreated).name),
        dlq_topic(registry.for_message(summarizer.ChatTitleGenerated).name),
    ]
    reader = Reader(bootstrap, registry, topics)
    harness = Harness(bootstrap, registry, settings, client[settings.mongo_db], producer, reader)
    try:
        yield harness
    finally:
        for channel in harness.channels:
            await channel.close()
        for app in harness.apps:
            await app.stop()
        reader.close()
        await asyncio.to_thread(producer.close)
        await client.drop_database(settings.mongo_db)
        await client.close()


@pytest.fixture
async def app(harness: Harness) -> App:
    return await harness.start_app()


@pytest.fixture
def stub(harness: Harness, app: App) -> api_grpc.TicketServiceAsyncStub:
    return harness.stub(app)
