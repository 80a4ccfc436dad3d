"""Wiring: Mongo, producer, consumers (intake; OCR unless T1_OCR_ENABLED=false) and gRPC server of one
message_saver instance.

`build_app(settings, registry)` makes an instance that tests run in-process (topic prefix, port 0);
`__main__` runs one until SIGTERM/SIGINT. An App is started and stopped once."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field

import grpc
from pymongo import AsyncMongoClient

from services.message_saver import ocr
from services.message_saver.config import MessageSaverSettings
from services.message_saver.convert import Doc
from services.message_saver.desk import TicketDesk
from services.message_saver.domain import SequenceClock
from services.message_saver.handlers import batch_handlers, handlers
from services.message_saver.intake import Intake
from services.message_saver.ocr_worker import AttachmentFiles, OcrWorker
from services.message_saver.publisher import Publisher
from services.message_saver.repository import Repository
from services.message_saver.servicer import SERVICE_NAME, TicketServicer
from t1.tickets.v1 import ticket_service_pb2_grpc as api_grpc
from t1lib.grpc.server import start_server
from t1lib.kafka.admin import ensure_topics
from t1lib.kafka.consumer import EventConsumer
from t1lib.kafka.producer import EventProducer
from t1lib.kafka.topics import TopicRegistry, registry_with_prefix
from t1lib.stores import mongo_client, s3_client

logger = logging.getLogger(__name__)

CONSUMER_STOP_TIMEOUT_S = 30.0


@dataclass
class App:
    settings: MessageSaverSettings
    registry: TopicRegistry
    repository: Repository
    producer: EventProducer
    consumer: EventConsumer
    servicer: TicketServicer
    mongo: AsyncMongoClient[Doc]
    ocr_consumer: EventConsumer | None = None
    port: int = 0
    _server: grpc.aio.Server | None = field(default=None, repr=False)
    _consumer_task: asyncio.Task[None] | None = field(default=None, repr=False)
    _ocr_task: asyncio.Task[None] | None = field(default=None, repr=False)
    _stopped: bool = field(default=False, repr=False)

    @property
    def address(self) -> str:
        return f"{self.settings.grpc_host}:{self.port}"

    async def start(self) -> None:
        settings = self.settings
        await asyncio.to_thread(
            ensure_topics, settings.kafka_bootstrap, self.registry, partitions=settings.kafka_topic_partitions
        )
        await self.repository.create_indexes()
        self._server, self.port = await start_server(
            f"{settings.grpc_host}:{settings.grpc_port}",
            lambda server: api_grpc.add_TicketServiceServicer_to_server(self.servicer, server),
            [SERVICE_NAME],
        )
        self._consumer_task = asyncio.create_task(self.consumer.run(), name="message_saver-consumer")
        if self.ocr_consumer is not None:
            self._ocr_task = asyncio.create_task(self.ocr_consumer.run(), name="message_saver-ocr-consumer")

    async def wait(self, stop: asyncio.Event) -> None:
        """Until `stop` is set, or a consumer dies (then its error is raised)."""
        assert self._consumer_task is not None, "start() first"
        stopper = asyncio.create_task(stop.wait())
        consumers = {self._consumer_task: "the Kafka consumer"}
        if self._ocr_task is not None:
            consumers[self._ocr_task] = "the OCR consumer"
        await asyncio.wait({stopper, *consumers}, return_when=asyncio.FIRST_COMPLETED)
        stopper.cancel()
        for task, name in consumers.items():
            if task.done():
                task.result()
                raise RuntimeError(f"{name} stopped unexpectedly")

    async def stop(self) -> None:
        """Stop consuming (stored offsets are committed), let RPCs finish, deliver queued events."""
        if self._stopped:
            return
        self._stopped = True
        self.consumer.stop()
        if self.ocr_consumer is not None:
            self.ocr_consumer.stop()
        try:
            for task in (self._consumer_task, self._ocr_task):
                if task is not None:
                    try:
                        await asyncio.wait_for(asyncio.shield(task), CONSUMER_STOP_TIMEOUT_S)
                    except Exception:
                        logger.exception("consumer %s did not stop cleanly", task.get_name())
        finally:
            if self._server is not None:
                await self._server.stop(grace=self.settings.grpc_grace_s)
            await asyncio.to_thread(self.producer.close)
            await self.mongo.close()


async def build_app(settings: MessageSaverSettings, registry: TopicRegistry | None = None) -> App:
    """Raises ocr.OcrSetupError when OCR is on but tesseract, a language or the S3 settings are missing."""
    if settings.ocr_enabled:
        settings.s3()
        await asyncio.to_thread(ocr.check_tesseract, settings.ocr_tesseract, settings.ocr_languages)
    registry = registry or registry_with_prefix(settings.kafka_topic_prefix)
    client = mongo_client(settings)
    single_writer = settings.mongo_single_writer
    if single_writer is None:
        single_writer = await is_ferretdb(client)
    repository = Repository(client[settings.mongo_db], single_writer=single_writer)
    producer = EventProducer(settings.kafka_bootstrap, settings.service_name, registry=registry)
    publisher = Publisher(producer)
    clock = SequenceClock()
    intake = Intake(repository, publisher, clock)
    consumer = EventConsumer(
        bootstrap=settings.kafka_bootstrap,
        group_id=settings.consumer_group,
        handlers=handlers(intake),
        batch_handlers=batch_handlers(intake),
        max_batch=settings.kafka_max_batch,
        dlq_producer=producer,
        max_attempts=settings.kafka_max_attempts,
        backoff_s=settings.kafka_retry_backoff_s,
        backoff_max_s=settings.kafka_retry_backoff_max_s,
        registry=registry,
    )
    servicer = TicketServicer(TicketDesk(repository, publisher, clock))
    ocr_consumer = (
        _ocr_consumer(settings, registry, repository, publisher, producer) if settings.ocr_enabled else None
    )
    return App(settings, registry, repository, producer, consumer, servicer, client, ocr_consumer)


async def is_ferretdb(client: AsyncMongoClient[Doc]) -> bool:
    """FerretDB answers buildInfo with its own version next to the MongoDB one it emulates."""
    info = await client.admin.command("buildInfo")
    return "ferretdbVersion" in info


def _ocr_consumer(
    settings: MessageSaverSettings,
    registry: TopicRegistry,
    repository: Repository,
    publisher: Publisher,
    producer: EventProducer,
) -> EventConsumer:
    """The second consumer of ticket_created: its own group, so OCR never delays the intake."""
    tesseract = ocr.Tesseract(
        command=settings.ocr_tesseract,
        languages=settings.ocr_languages,
        timeout_s=settings.ocr_timeout_s,
        concurrency=settings.ocr_concurrency,
        max_pixels=settings.ocr_max_pixels,
    )
    files = AttachmentFiles(s3_client(settings.s3()), settings.s3_bucket, settings.ocr_max_bytes)
    worker = OcrWorker(
        repository,
        publisher,
        tesseract,
        files,
        max_bytes=settings.ocr_max_bytes,
        missing_object_attempts=settings.ocr_missing_object_attempts,
    )
    return EventConsumer(
        bootstrap=settings.kafka_bootstrap,
        group_id=settings.ocr_group,
        handlers=worker.handlers(),
        dlq_producer=producer,
        max_attempts=settings.kafka_max_attempts,
        backoff_s=settings.kafka_retry_backoff_s,
        backoff_max_s=settings.kafka_retry_backoff_max_s,
        registry=registry,
    )
