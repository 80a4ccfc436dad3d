"""Wiring: Mongo, producer, consumers (intake and delivery outcomes; OCR unless T1_OCR_ENABLED=false),
the outbox relay of operator_replies and gRPC server of one message_saver instance.

`build_app(settings, registry)` makes an instance that tests run in-process (topic prefix, port 0);
`__main__` runs one until SIGTERM/SIGINT. An App is started and stopped once."""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import cast

import grpc
import redis.asyncio as redis_async
from pymongo import AsyncMongoClient
from pymongo.asynchronous.database import AsyncDatabase

from services.message_saver import ocr
from services.message_saver.config import MessageSaverSettings
from services.message_saver.convert import Doc
from services.message_saver.delivery import DeliveryTracker
from services.message_saver.desk import TicketDesk
from services.message_saver.desk_metrics import DeskGauges
from services.message_saver.domain import SequenceClock
from services.message_saver.handlers import batch_handlers, handlers
from services.message_saver.intake import Intake
from services.message_saver.ocr_worker import AttachmentFiles, OcrWorker
from services.message_saver.outbox import ReplyOutbox
from services.message_saver.publisher import Publisher
from services.message_saver.repository import Repository
from services.message_saver.search import SearchIndex, rebuild_from_store
from services.message_saver.servicer import SERVICE_NAME, TicketServicer
from services.message_saver.views import TicketViews
from services.message_saver.writer import WriterRole, advertised_address, writer_lease
from t1.notifications.v1 import events_pb2 as notifications
from t1.tickets.v1 import ticket_service_pb2_grpc as api_grpc
from t1lib.fenced import FencedDatabase
from t1lib.grpc.forwarding import ForwardingInterceptor
from t1lib.grpc.server import start_server
from t1lib.health import Check, KafkaCheck, MongoCheck, Readiness, RedisCheck, S3Check
from t1lib.kafka.admin import ensure_service_topics
from t1lib.kafka.consumer import EventConsumer, EventContext
from t1lib.kafka.producer import EventProducer
from t1lib.kafka.topics import TopicRegistry, registry_with_prefix
from t1lib.lease import Lease
from t1lib.stores import mongo_client, redis_client, s3_client

logger = logging.getLogger(__name__)

CONSUMER_STOP_TIMEOUT_S = 30.0
# Consumers off the customer's path (search index, OCR) take up to a second's worth of records per fetch:
# fewer, larger batches (one index commit each) and less work for the broker, at most a second later.
CHECKPOINT_EVERY_S = 1.0
UNHURRIED_FETCH: dict[str, str | int] = {"fetch.wait.max.ms": 1000, "fetch.min.bytes": 1_000_000}
# Records the search consumer may take at once: a few seconds of notifications at 1,000 messages/s.
SEARCH_MAX_BATCH = 10_000
WRITER_LEASE_TASK = "writer-lease"


@dataclass
class App:
    settings: MessageSaverSettings
    registry: TopicRegistry
    repository: Repository
    producer: EventProducer
    consumer: EventConsumer
    servicer: TicketServicer
    mongo: AsyncMongoClient[Doc]
    outbox: ReplyOutbox
    ocr_consumer: EventConsumer | None = None
    search: SearchIndex | None = None
    search_consumer: EventConsumer | None = None
    views_redis: redis_async.Redis | None = None
    readiness: Readiness = field(default_factory=lambda: Readiness([]))
    role: WriterRole = field(default_factory=lambda: WriterRole(single_writer=False))
    port: int = 0
    _server: grpc.aio.Server | None = field(default=None, repr=False)
    _forwarder: ForwardingInterceptor | None = field(default=None, repr=False)
    _writer_task: asyncio.Task[None] | None = field(default=None, repr=False)
    _lease_task: asyncio.Task[None] | None = field(default=None, repr=False)
    _changed: asyncio.Event = field(default_factory=asyncio.Event, repr=False)
    _consumer_task: asyncio.Task[None] | None = field(default=None, repr=False)
    _ocr_task: asyncio.Task[None] | None = field(default=None, repr=False)
    _search_task: asyncio.Task[None] | None = field(default=None, repr=False)
    _checkpoint_task: asyncio.Task[None] | None = field(default=None, repr=False)
    _relay_task: asyncio.Task[None] | None = field(default=None, repr=False)
    _desk_metrics_task: asyncio.Task[None] | None = field(default=None, repr=False)
    _stopped: bool = field(default=False, repr=False)

    @property
    def address(self) -> str:
        return f"{self.settings.grpc_host}:{self.port}"

    async def start(self) -> None:
        """Serve at once; write (consume, relay, checkpoint) now, or once this instance holds the writer
        lease when the store has a single writer (writer.py): until then TicketService calls are
        forwarded to the writer."""
        settings = self.settings
        await ensure_service_topics(settings, self.registry)
        if self.search is not None and self.search.is_empty:
            await rebuild_from_store(self.search, self.mongo[settings.mongo_db])
        if self.role.single_writer:
            self._forwarder = ForwardingInterceptor(
                [SERVICE_NAME],
                local=self.role.is_local,
                target=self.role.writer_address,
                token=settings.service_token,
            )
        self._server, self.port = await start_server(
            f"{settings.grpc_host}:{settings.grpc_port}",
            lambda server: api_grpc.add_TicketServiceServicer_to_server(self.servicer, server),
            [SERVICE_NAME],
            token=settings.service_token,
            readiness=self.readiness,
            interceptors=[] if self._forwarder is None else [self._forwarder],
        )
        if self.search_consumer is not None:  # every instance keeps its own index (T1_SEARCH_DIR)
            self._search_task = asyncio.create_task(
                self.search_consumer.run(), name="message_saver-search-consumer"
            )
        lease = self.role.lease
        if lease is None:
            await self._start_writing()
            return
        lease.name = f"{settings.instance_name}:{self.port}:{uuid.uuid4().hex[:8]}"
        lease.address = advertised_address(settings, self.port)
        if await lease.try_acquire():
            await self._start_writing()
        else:
            holder = await lease.current()
            logger.info(
                "another instance is the writer; forwarding TicketService calls to it until its lease ends",
                extra={"fields": {"writer": holder.name if holder else None}},
            )
            self._writer_task = asyncio.create_task(self._take_over(lease), name=WRITER_LEASE_TASK)

    async def _take_over(self, lease: Lease) -> None:
        await lease.acquire()
        logger.warning(
            "this instance is now the writer",
            extra={"fields": {"fencing": lease.holder and lease.holder.token}},
        )
        await self._start_writing()
        self._writer_task = None  # done: wait() watches the consumers and the lease from now on
        self._changed.set()

    async def _start_writing(self) -> None:
        settings = self.settings
        await self.repository.create_indexes()
        await self.repository.migrate_active_keys()
        await self._prepare_views()
        # What a crash left unpublished, before any new call can add to it.
        await self.outbox.relay(min_age_s=0)
        lease = self.role.lease
        if lease is not None:
            self._lease_task = asyncio.create_task(lease.keep(self._lease_lost), name="writer-lease-renewal")
        self.role.started_writing()
        self._consumer_task = asyncio.create_task(self.consumer.run(), name="message_saver-consumer")
        if self.repository.single_writer:
            self._checkpoint_task = asyncio.create_task(self._write_checkpoints(), name="checkpoints")
        self._relay_task = asyncio.create_task(self._relay_outbox(), name="outbox-relay")
        if settings.desk_metrics_interval_s > 0 and self.repository.views is not None:
            self._desk_metrics_task = asyncio.create_task(self._export_desk_metrics(), name="desk-metrics")
        if self.ocr_consumer is not None:
            self._ocr_task = asyncio.create_task(self.ocr_consumer.run(), name="message_saver-ocr-consumer")

    async def _lease_lost(self) -> None:
        """Another instance may be writing now: stop answering and let the process end (wait() raises),
        so that its restart joins as a follower with nothing cached."""
        self.role.stopped_writing()

    async def _write_checkpoints(self) -> None:
        """Every second, the documents of tickets whose log grew long or old (ticket_log)."""
        while True:
            await asyncio.sleep(CHECKPOINT_EVERY_S)
            try:
                await self.repository.write_checkpoints(limit=self.settings.checkpoints_per_s)
            except Exception:  # the logs still hold everything; the next round tries again
                logger.exception("writing ticket checkpoints failed")

    async def _relay_outbox(self) -> None:
        """Periodically, the operator_replies left pending for a while (a failed publish: Kafka away)."""
        settings = self.settings
        while True:
            await asyncio.sleep(settings.outbox_relay_interval_s)
            try:
                await self.outbox.relay(min_age_s=settings.outbox_min_age_s)
            except Exception:  # the entries stay; the next round tries again
                logger.exception("relaying the outbox failed")

    async def _export_desk_metrics(self) -> None:
        """The desk's gauges (desk_metrics.py), from the read model, now and then every interval."""
        views = self.repository.views
        assert views is not None
        gauges = DeskGauges()
        while True:
            try:
                gauges.show(await views.desk_figures(), datetime.now(UTC))
            except Exception:  # Redis away: the gauges keep their last values until it is back
                logger.exception("reading the desk's figures failed")
            await asyncio.sleep(self.settings.desk_metrics_interval_s)

    async def _leave_the_writer_role(self) -> None:
        """Hand the lease over at once, so the next writer need not wait for it to expire."""
        self.role.stopped_writing()
        if self._lease_task is not None:
            self._lease_task.cancel()
        if self.role.lease is not None:
            await self.role.lease.release()
        if self._forwarder is not None:
            await self._forwarder.close()

    async def _prepare_views(self) -> None:
        """Rebuild the lists' read model when Redis has none; else reload what a crash left pending."""
        views = self.repository.views
        if views is None:
            return
        if not await views.is_built():
            count = await self.repository.rebuild_views()
            logger.info("ticket views built from the store", extra={"fields": {"tickets": count}})
        else:
            repaired = await self.repository.repair_views()
            if repaired:
                logger.warning("ticket views repaired", extra={"fields": {"tickets": repaired}})

    async def wait(self, stop: asyncio.Event) -> None:
        """Until `stop` is set, or a consumer dies or the writer lease is lost (then an error is raised)."""
        assert self._server is not None, "start() first"
        stopper = asyncio.create_task(stop.wait())
        try:
            while not stopper.done():
                changed = asyncio.create_task(self._changed.wait())
                watched = self._watched()
                await asyncio.wait({stopper, changed, *watched}, return_when=asyncio.FIRST_COMPLETED)
                changed.cancel()
                self._changed.clear()
                for task, name in watched.items():
                    if task.done():
                        task.result()
                        if task.get_name() != WRITER_LEASE_TASK:  # that one ends once this one writes
                            raise RuntimeError(f"{name} stopped unexpectedly")
        finally:
            stopper.cancel()

    def _watched(self) -> dict[asyncio.Task[None], str]:
        tasks = {
            self._consumer_task: "the Kafka consumer",
            self._ocr_task: "the OCR consumer",
            self._search_task: "the search index consumer",
            self._writer_task: "the wait for the writer lease",
            self._lease_task: "the writer lease (lost: another instance may be writing)",
        }
        return {task: name for task, name in tasks.items() if task is not None}

    async def stop(self) -> None:
        """Stop consuming (stored offsets are committed), let RPCs finish, deliver queued events."""
        if self._stopped:
            return
        self._stopped = True
        for periodic in (self._relay_task, self._desk_metrics_task, self._writer_task):
            if periodic is not None:
                periodic.cancel()
        self.consumer.stop()
        for extra in (self.ocr_consumer, self.search_consumer):
            if extra is not None:
                extra.stop()
        try:
            for task in (self._consumer_task, self._ocr_task, self._search_task):
                if task is not None:
                    try:
                        await asyncio.wait_for(asyncio.shield(task), CONSUMER_STOP_TIMEOUT_S)
                    except Exception:
                        logger.exception("consumer %s did not stop cleanly", task.get_name())
        finally:
            if self._server is not None:
                await self._server.stop(grace=self.settings.grpc_grace_s)
            if self._checkpoint_task is not None:
                self._checkpoint_task.cancel()
                try:
                    await self.repository.write_checkpoints(everything=True)
                except Exception:
                    logger.exception("writing ticket checkpoints at stop failed (the logs keep them)")
            await self._leave_the_writer_role()
            await asyncio.to_thread(self.producer.close)
            await self.mongo.close()
            if self.views_redis is not None:
                await self.views_redis.aclose()
            if self.search is not None:
                await asyncio.to_thread(self.search.close)


async def build_app(settings: MessageSaverSettings, registry: TopicRegistry | None = None) -> App:
    """Raises ocr.OcrSetupError when OCR is on but tesseract, a language or the S3 settings are missing."""
    if settings.ocr_enabled:
        settings.s3()
        await asyncio.to_thread(ocr.check_tesseract, settings.ocr_tesseract, settings.ocr_languages)
    registry = registry or registry_with_prefix(settings.kafka_topic_prefix)
    client = mongo_client(settings)
    ferretdb = await is_ferretdb(client)
    single_writer = settings.mongo_single_writer
    if single_writer is None:
        single_writer = ferretdb
    views_redis = redis_client(settings, decode_responses=False)
    views = TicketViews(views_redis, settings.views_key_prefix)
    role = WriterRole(single_writer)
    database = client[settings.mongo_db]
    if single_writer:
        role.lease = writer_lease(settings, views_redis)
        database = cast("AsyncDatabase[Doc]", FencedDatabase(database, role.lease.fence))
    repository = Repository(
        database,
        single_writer=single_writer,
        views=views,
        secondary_indexes=not ferretdb,
        checkpoint_after_s=settings.checkpoint_after_s,
    )
    producer = EventProducer.for_service(settings, settings.service_name, registry=registry)
    publisher = Publisher(producer)
    clock = SequenceClock()
    intake = Intake(repository, publisher, clock)
    consumer = EventConsumer.for_service(
        settings,
        group_id=settings.consumer_group,
        handlers=handlers(intake, DeliveryTracker(repository, publisher)),
        batch_handlers=batch_handlers(intake),
        dlq_producer=producer,
        registry=registry,
    )
    search = (
        SearchIndex(
            settings.search_index_dir,
            heap_bytes=settings.search_writer_heap_mb * 1_000_000,
            threads=settings.search_writer_threads,
        )
        if settings.search_enabled
        else None
    )
    outbox = ReplyOutbox(repository, publisher, abandon_after_s=settings.outbox_abandon_after_s)
    servicer = TicketServicer(TicketDesk(repository, publisher, clock, outbox), search)
    ocr_consumer = (
        _ocr_consumer(settings, registry, repository, publisher, producer) if settings.ocr_enabled else None
    )
    checks: list[Check] = [KafkaCheck(producer), MongoCheck(client), RedisCheck(views_redis)]
    if settings.ocr_enabled:  # only the text of pictures waits while S3 is away
        checks.append(S3Check(s3_client(settings.s3()), settings.s3_bucket, required=False))
    return App(
        settings,
        registry,
        repository,
        producer,
        consumer,
        servicer,
        client,
        outbox,
        ocr_consumer,
        search=search,
        search_consumer=None if search is None else _search_consumer(settings, registry, search, producer),
        views_redis=views_redis,
        readiness=Readiness(checks),
        role=role,
    )


async def is_ferretdb(client: AsyncMongoClient[Doc]) -> bool:
    """FerretDB answers buildInfo with its own version next to the MongoDB one it emulates."""
    info = await client.admin.command("buildInfo")
    return "ferretdbVersion" in info


def _search_consumer(
    settings: MessageSaverSettings, registry: TopicRegistry, search: SearchIndex, producer: EventProducer
) -> EventConsumer:
    """The search index follows websocket_notifications in its own group; a batch is committed to the
    index before its offsets are stored."""

    async def index_batch(
        items: Sequence[tuple[notifications.WebsocketNotification, EventContext]],
    ) -> None:
        await search.index_batch([event for event, _context in items])

    async def index_one(event: notifications.WebsocketNotification, _context: EventContext) -> None:
        await search.index_batch([event])

    return EventConsumer.for_service(
        settings,
        group_id=settings.search_group,
        handlers={notifications.WebsocketNotification: index_one},
        batch_handlers={notifications.WebsocketNotification: index_batch},
        dlq_producer=producer,
        registry=registry,
        extra_config=UNHURRIED_FETCH,
        max_batch=SEARCH_MAX_BATCH,
        min_batch_interval_s=settings.search_commit_interval_s,
    )


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
    return EventConsumer.for_service(
        settings,
        group_id=settings.ocr_group,
        handlers=worker.handlers(),
        batch_handlers=worker.batch_handlers(),
        dlq_producer=producer,
        registry=registry,
        extra_config=UNHURRIED_FETCH,
    )
