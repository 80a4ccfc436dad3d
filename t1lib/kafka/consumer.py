"""At-least-once consumption: an offset is stored only after its handler succeeded (or the record was
dead-lettered); failures retry with backoff; poison records go to `<topic>.dlq` with the error in headers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import Any, NamedTuple

from confluent_kafka import Consumer, KafkaError, KafkaException, TopicPartition
from confluent_kafka import Message as KafkaMessage
from google.protobuf.message import Message
from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.context import Context
from opentelemetry.trace import Span

from t1lib import tracing
from t1lib.config import KafkaSettings
from t1lib.errors import PermanentEventError
from t1lib.kafka.codec import Headers, RecordHeaders, UndecodableMessageError, decode, headers_dict
from t1lib.kafka.lag import export_lag
from t1lib.kafka.producer import Acks, EventProducer
from t1lib.kafka.spans import process_span, record_span
from t1lib.kafka.topics import REGISTRY, TopicRegistry, dlq_topic
from t1lib.logs import ticket_context
from t1lib.telemetry import KAFKA_DEAD_LETTERS, KAFKA_EVENTS, KAFKA_HANDLER_SECONDS

logger = logging.getLogger(__name__)


class EventContext(NamedTuple):
    """Where a record came from; handlers use it for logging and idempotency keys. (A named tuple: one
    is made for every record consumed, and a frozen dataclass costs several times more to make.)"""

    topic: str
    partition: int
    offset: int
    key: str | None
    raw_headers: RecordHeaders
    attempt: int
    # The trace this record's handling belongs to, for work done on its behalf (set in batches when
    # tracing is on: t1lib.tracing.within(context.trace)).
    trace: Context | None = None

    @property
    def headers(self) -> dict[str, str]:
        """The record's headers as text, decoded when asked for (a batch handler never asks)."""
        return headers_dict(self.raw_headers)


Handler = Callable[[Any, EventContext], Awaitable[None]]
# Takes every record of one topic from one poll; raising sends them all through the per-record handler.
# It may return the acknowledgements of what it published (EventProducer.hand_over) instead of waiting
# for them: the consumer then handles the next poll meanwhile and stores this poll's offsets once they
# arrive; a failed one makes both polls' records come again (handlers are idempotent).
BatchHandler = Callable[[list[tuple[Any, EventContext]]], Awaitable[Acks | None]]

POLL_TIMEOUT_S = 0.5
DEFAULT_STATISTICS_INTERVAL_MS = 5000


class _Item(NamedTuple):
    position: int  # in the poll
    record: KafkaMessage
    event: Message
    context: EventContext


class _Handled(NamedTuple):
    """A poll handled; `settled` stores its offsets once its acknowledgements have arrived (False when
    one failed)."""

    records: list[KafkaMessage]
    settled: asyncio.Future[bool]


class _StopRequestedError(Exception):
    """Stop was requested while a record was still failing; leave its offset unstored."""


class EventConsumer:
    """Consumes the topics of the given handlers in one consumer group.

    Records are polled in batches. Records with the same key are handled one at a time in offset order;
    different keys run concurrently (at most `key_concurrency` at once). A topic with a batch handler
    gets each poll's records of that topic in one call (for bulk writes); when that call fails, the
    records go through the per-record handler, with its retries and dead-lettering. Offsets are stored
    only up to the first record of each partition that is not finished."""

    def __init__(
        self,
        *,
        bootstrap: str,
        group_id: str,
        handlers: Mapping[type[Message], Handler],
        dlq_producer: EventProducer,
        max_attempts: int = 5,
        backoff_s: float = 0.2,
        backoff_max_s: float = 5.0,
        registry: TopicRegistry = REGISTRY,
        extra_config: dict[str, str | int] | None = None,
        batch_handlers: Mapping[type[Message], BatchHandler] | None = None,
        max_batch: int = 500,
        key_concurrency: int = 64,
        min_batch_interval_s: float = 0.0,
        statistics_interval_ms: int = DEFAULT_STATISTICS_INTERVAL_MS,
    ) -> None:
        self._group_id = group_id
        self._handlers = {
            registry.for_message(event_type).name: handler for event_type, handler in handlers.items()
        }
        # Topics keyed by ticket id: their records' log lines name the ticket.
        self._ticket_keyed = {
            registry.for_message(event_type).name
            for event_type in handlers
            if registry.for_message(event_type).key_field == "ticket_id"
        }
        self._batch_handlers = {
            registry.for_message(event_type).name: handler
            for event_type, handler in (batch_handlers or {}).items()
        }
        for topic in self._handlers:
            # At 0 from the start: an alert on increase() then sees this group's first dead letter too.
            KAFKA_DEAD_LETTERS.labels(topic, group_id)
        missing = set(self._batch_handlers) - set(self._handlers)
        if missing:
            raise ValueError(f"batch handlers need a per-record handler too: {sorted(missing)}")
        self._registry = registry
        self._dlq = dlq_producer
        self._max_attempts = max(1, max_attempts)
        self._backoff_s = backoff_s
        self._backoff_max_s = backoff_max_s
        self._max_batch = max(1, max_batch)
        # A consumer whose batches cost per call more than per record (an index commit) polls at most
        # this often, so records gather into fewer, larger batches.
        self._min_batch_interval_s = max(0.0, min_batch_interval_s)
        self._key_slots = asyncio.Semaphore(max(1, key_concurrency))
        config: dict[str, Any] = {
            "bootstrap.servers": bootstrap,
            "group.id": group_id,
            "enable.auto.commit": "true",
            "enable.auto.offset.store": "false",
            "auto.offset.reset": "earliest",
            "auto.commit.interval.ms": 1000,
            "session.timeout.ms": 10000,
            "heartbeat.interval.ms": 1000,
            # t1_kafka_consumer_lag comes from librdkafka's statistics, delivered during polls
            "statistics.interval.ms": statistics_interval_ms,
            "stats_cb": lambda statistics: export_lag(group_id, statistics),
        }
        config.update(extra_config or {})
        self._config = config
        # librdkafka calls stay on one thread; the event loop never blocks on poll.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{group_id}-consumer")
        self._stop = asyncio.Event()
        self.assigned = asyncio.Event()

    @classmethod
    def for_service(
        cls,
        settings: KafkaSettings,
        *,
        group_id: str,
        handlers: Mapping[type[Message], Handler],
        dlq_producer: EventProducer,
        registry: TopicRegistry,
        batch_handlers: Mapping[type[Message], BatchHandler] | None = None,
        extra_config: dict[str, str | int] | None = None,
        max_batch: int | None = None,
        min_batch_interval_s: float = 0.0,
    ) -> EventConsumer:
        """A consumer with the service's retry, backoff and batch settings."""
        return cls(
            bootstrap=settings.kafka_bootstrap,
            group_id=group_id,
            handlers=handlers,
            batch_handlers=batch_handlers,
            dlq_producer=dlq_producer,
            max_attempts=settings.kafka_max_attempts,
            backoff_s=settings.kafka_retry_backoff_s,
            backoff_max_s=settings.kafka_retry_backoff_max_s,
            max_batch=max_batch or settings.kafka_max_batch,
            key_concurrency=settings.kafka_key_concurrency,
            registry=registry,
            extra_config=extra_config,
            min_batch_interval_s=min_batch_interval_s,
        )

    @property
    def topics(self) -> list[str]:
        return list(self._handlers)

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        """Consume until stop() is called; then commit stored offsets and close."""
        loop = asyncio.get_running_loop()

        def on_assign(_consumer: Consumer, _partitions: list[Any]) -> None:
            loop.call_soon_threadsafe(self.assigned.set)

        consumer = await loop.run_in_executor(self._executor, Consumer, self._config)
        try:
            await loop.run_in_executor(
                self._executor, lambda: consumer.subscribe(self.topics, on_assign=on_assign)
            )
            inflight: _Handled | None = None  # a poll handled, its acknowledgements still to come
            while not self._stop.is_set():
                polled = await loop.run_in_executor(self._executor, self._take_ready, consumer)
                if not polled:
                    polling = loop.run_in_executor(self._executor, self._wait_for_first, consumer)
                    if inflight is not None:
                        # Settle the last poll while waiting for records, whichever comes first.
                        either: set[asyncio.Future[Any]] = {polling, inflight.settled}
                        await asyncio.wait(either, return_when=asyncio.FIRST_COMPLETED)
                        if inflight.settled.done():
                            if not inflight.settled.result():
                                await loop.run_in_executor(
                                    self._executor, _rewind, consumer, inflight.records + await polling
                                )
                                inflight = None
                                continue
                            inflight = None
                    polled = await polling
                polled_at = loop.time()
                records = [record for record in polled if self._usable(record)]
                if not records:
                    continue
                finished, acks = await self._process_batch(records)
                # This poll was handled while the one before it waited for its acknowledgements.
                if inflight is not None and not await inflight.settled:
                    await loop.run_in_executor(self._executor, _rewind, consumer, inflight.records + records)
                    inflight = None
                    continue
                offsets = _storable_offsets(records, finished)
                inflight = _Handled(records, asyncio.ensure_future(self._settle(consumer, offsets, acks)))
                if not acks:
                    await inflight.settled
                    inflight = None
                await self._pause_until(polled_at + self._min_batch_interval_s)
            if inflight is not None:
                await inflight.settled
        finally:
            await loop.run_in_executor(self._executor, consumer.close)
            self._executor.shutdown(wait=False)

    async def _settle(self, consumer: Consumer, offsets: list[TopicPartition], acks: Acks) -> bool:
        """Wait for a poll's acknowledgements, then store its offsets. False when a publish failed: the
        offsets stay unstored, so the poll's records must be consumed again."""
        try:
            await acks.wait()
        except Exception as error:
            logger.warning(
                "events published for a poll were not acknowledged; it is consumed again: %r", error
            )
            return False
        if offsets:
            await asyncio.get_running_loop().run_in_executor(self._executor, self._store, consumer, offsets)
        return True

    async def _pause_until(self, deadline: float) -> None:
        remaining = deadline - asyncio.get_running_loop().time()
        if remaining > 0:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stop.wait(), remaining)

    def _take_ready(self, consumer: Consumer) -> list[KafkaMessage]:
        """What is there now, up to a batch."""
        ready: list[KafkaMessage] = consumer.consume(self._max_batch, 0)
        return ready

    def _wait_for_first(self, consumer: Consumer) -> list[KafkaMessage]:
        """The first record to come (up to POLL_TIMEOUT_S) and what arrived with it. (consume() with a
        timeout would wait for a full batch, delaying a lone record by the whole timeout.)"""
        first = consumer.poll(POLL_TIMEOUT_S)
        if first is None:
            return []
        return [first, *consumer.consume(self._max_batch - 1, 0)]

    @staticmethod
    def _usable(record: KafkaMessage) -> bool:
        error = record.error()
        if error is None:
            return True
        if error.fatal():
            raise KafkaException(error)
        if error.code() != KafkaError._PARTITION_EOF:
            logger.warning("kafka consumer error: %s", error)
        return False

    @staticmethod
    def _store(consumer: Consumer, offsets: list[TopicPartition]) -> None:
        try:
            consumer.store_offsets(offsets=offsets)
        except KafkaException as error:
            # A partition was revoked meanwhile; its new owner will see the records again.
            logger.warning("could not store offsets: %s", error)

    async def _process_batch(self, records: list[KafkaMessage]) -> tuple[set[int], Acks]:
        """Handle the records; returns the indexes of those finished (handled or dead-lettered) and the
        acknowledgements the batch handlers left to wait for."""
        finished: set[int] = set()
        items: list[_Item] = []
        for index, record in enumerate(records):
            item = self._decode(index, record)
            if isinstance(item, UndecodableMessageError):
                await self._dead_letter(record, "undecodable", str(item))
                finished.add(index)
            else:
                items.append(item)
        by_topic: dict[str, list[_Item]] = {}
        for item in items:
            by_topic.setdefault(item.context.topic, []).append(item)
        # Topics are independent of each other: one topic's batch (titles) does not hold up another's.
        batched = [topic for topic in by_topic if topic in self._batch_handlers]
        taken = await asyncio.gather(*(self._handle_batch(topic, by_topic[topic]) for topic in batched))
        acks = Acks()
        for topic_acks in taken:
            if topic_acks is not None:
                acks += topic_acks
        sequences: dict[tuple[str, str | None], list[_Item]] = {}
        for topic, topic_items in by_topic.items():
            if topic in batched and taken[batched.index(topic)] is not None:
                finished.update(item.position for item in topic_items)
                continue
            for item in topic_items:
                sequences.setdefault((topic, item.context.key), []).append(item)
        done = await asyncio.gather(*(self._run_sequence(sequence) for sequence in sequences.values()))
        for completed in done:
            finished.update(completed)
        return finished, acks

    def _decode(self, index: int, record: KafkaMessage) -> _Item | UndecodableMessageError:
        """The record as an event with its context, or why it cannot be one (it goes to the dead letters)."""
        topic = str(record.topic())
        headers = record.headers()
        key_bytes = record.key()
        key = key_bytes.decode("utf-8", "replace") if isinstance(key_bytes, bytes) else None
        try:
            event = decode(topic, record.value(), headers, self._registry)
        except UndecodableMessageError as error:
            return error
        context = EventContext(
            topic=topic,
            partition=int(record.partition() or 0),
            offset=int(record.offset() or 0),
            key=key,
            raw_headers=headers,
            attempt=1,
        )
        return _Item(index, record, event, context)

    async def _handle_batch(self, topic: str, items: list[_Item]) -> Acks | None:
        """The acknowledgements left to wait for when the batch handler took every record; None sends
        them through the per-record path."""
        started = time.perf_counter()
        parents = [propagate.extract(item.context.headers) for item in items] if tracing.enabled() else []
        # The batch's span continues the first record's trace; each other record gets a span in its own
        # trace, linked with the batch's (messaging conventions for batch processing).
        with process_span(
            topic,
            self._group_id,
            parents[0] if parents else None,
            count=len(items),
            links=tracing.links_to(parents[1:], parents[0] if parents else None),
        ) as batch_span:
            own_spans = [
                self._record_span(topic, item, parent, batch_span)
                for item, parent in zip(items[1:], parents[1:], strict=False)
            ]
            contexts = [otel_context.get_current(), *(trace.set_span_in_context(span) for span in own_spans)]
            handed = [
                (item.event, item.context._replace(trace=contexts[index]) if parents else item.context)
                for index, item in enumerate(items)
            ]
            try:
                acks = await self._batch_handlers[topic](handed)
            except Exception as error:
                logger.warning(
                    "batch handler failed for %d records; handling them one by one: %r",
                    len(items),
                    error,
                    exc_info=True,
                )
                return None
            finally:
                for span in own_spans:
                    span.end()
        KAFKA_HANDLER_SECONDS.labels(topic, self._group_id).observe(time.perf_counter() - started)
        KAFKA_EVENTS.labels(topic, self._group_id, "ok").inc(len(items))
        return acks or Acks()

    async def _run_sequence(self, sequence: list[_Item]) -> list[int]:
        """One key's records in order. After stop() no record is started, and one still failing is left
        unfinished (its offset and those after it stay unstored)."""
        completed: list[int] = []
        async with self._key_slots:
            for item in sequence:
                if self._stop.is_set():
                    break
                try:
                    await self._process(item)
                except _StopRequestedError:
                    break
                completed.append(item.position)
        return completed

    async def _process(self, item: _Item) -> None:
        handler = self._handlers[item.context.topic]
        context = item.context
        with (
            ticket_context(context.key if context.topic in self._ticket_keyed else None),
            process_span(
                context.topic,
                self._group_id,
                propagate.extract(context.headers),
                partition=context.partition,
                offset=context.offset,
                key=context.key,
            ),
        ):
            await self._handle_with_retries(handler, item)

    def _record_span(self, topic: str, item: _Item, parent: Context, batch: Span) -> Span:
        """A record's own span of a batch, in the record's trace."""
        context = item.context
        return record_span(
            topic, self._group_id, parent, partition=context.partition, offset=context.offset, batch=batch
        )

    async def _handle_with_retries(self, handler: Handler, item: _Item) -> None:
        record = item.record
        topic = item.context.topic
        for attempt in range(1, self._max_attempts + 1):
            context = item.context._replace(attempt=attempt)
            started = time.perf_counter()
            try:
                await handler(item.event, context)
            except PermanentEventError as error:
                await self._dead_letter(record, "rejected", str(error))
                return
            except Exception as error:
                KAFKA_EVENTS.labels(topic, self._group_id, "retry").inc()
                logger.warning(
                    "handler failed (attempt %d/%d): %r", attempt, self._max_attempts, error, exc_info=True
                )
                if attempt == self._max_attempts:
                    await self._dead_letter(record, "failed", repr(error))
                    return
                await self._sleep_or_stop(min(self._backoff_s * 2 ** (attempt - 1), self._backoff_max_s))
            else:
                KAFKA_HANDLER_SECONDS.labels(topic, self._group_id).observe(time.perf_counter() - started)
                KAFKA_EVENTS.labels(topic, self._group_id, "ok").inc()
                return

    async def _sleep_or_stop(self, delay_s: float) -> None:
        try:
            await asyncio.wait_for(self._stop.wait(), timeout=delay_s)
        except TimeoutError:
            return
        raise _StopRequestedError

    async def _dead_letter(self, record: KafkaMessage, reason: str, error: str) -> None:
        topic = str(record.topic())
        headers: Headers = [(name, value) for name, value in headers_dict(record.headers()).items()]
        headers += [
            ("dlq-reason", reason.encode()),
            ("dlq-error", error[:2000].encode()),
            ("dlq-source-topic", topic.encode()),
            ("dlq-source-partition", str(record.partition()).encode()),
            ("dlq-source-offset", str(record.offset()).encode()),
            ("dlq-consumer-group", self._group_id.encode()),
        ]
        await self._dlq.send(dlq_topic(topic), record.key(), record.value(), headers)
        KAFKA_EVENTS.labels(topic, self._group_id, "dead_lettered").inc()
        KAFKA_DEAD_LETTERS.labels(topic, self._group_id).inc()
        logger.error("record sent to %s: %s: %s", dlq_topic(topic), reason, error)


def _rewind(consumer: Consumer, records: list[KafkaMessage]) -> None:
    """Fetch each partition again from the first of these records (their offsets were not stored)."""
    first: dict[tuple[str, int], int] = {}
    for record in records:
        position = (str(record.topic()), int(record.partition() or 0))
        offset = int(record.offset() or 0)
        first[position] = min(offset, first.get(position, offset))
    for (topic, partition), offset in first.items():
        try:
            consumer.seek(TopicPartition(topic, partition, offset))
        except KafkaException as error:
            # Revoked meanwhile: its new owner starts from the stored offset, before these records.
            logger.warning("could not rewind %s[%d] to %d: %r", topic, partition, offset, error)


def _storable_offsets(records: list[KafkaMessage], finished: set[int]) -> list[TopicPartition]:
    """Per partition, the offset after the last record that has only finished records before it."""
    by_partition: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for index, record in enumerate(records):
        position = (str(record.topic()), int(record.partition() or 0))
        by_partition.setdefault(position, []).append((int(record.offset() or 0), index))
    offsets: list[TopicPartition] = []
    for (topic, partition), entries in by_partition.items():
        next_offset = None
        for offset, index in sorted(entries):
            if index not in finished:
                break
            next_offset = offset + 1
        if next_offset is not None:
            offsets.append(TopicPartition(topic, partition, next_offset))
    return offsets
