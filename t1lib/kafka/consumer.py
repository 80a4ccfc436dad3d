"""At-least-once consumption: an offset is stored only after its handler succeeded (or the record was
dead-lettered); failures retry with backoff; poison records go to `<topic>.dlq` with the error in headers."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

from confluent_kafka import Consumer, KafkaError, KafkaException
from confluent_kafka import Message as KafkaMessage
from google.protobuf.message import Message
from opentelemetry import propagate

from t1lib.errors import PermanentEventError
from t1lib.kafka.codec import Headers, UndecodableMessageError, decode, headers_dict
from t1lib.kafka.producer import EventProducer
from t1lib.kafka.topics import REGISTRY, TopicRegistry, dlq_topic
from t1lib.logs import ticket_context
from t1lib.telemetry import KAFKA_EVENTS, KAFKA_HANDLER_SECONDS, tracer

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class EventContext:
    """Where a record came from; handlers use it for logging and idempotency keys."""

    topic: str
    partition: int
    offset: int
    key: str | None
    headers: dict[str, str]
    attempt: int


Handler = Callable[[Any, EventContext], Awaitable[None]]


class _StopRequestedError(Exception):
    """Stop was requested while a record was still failing; leave its offset unstored."""


class EventConsumer:
    """Consumes the topics of the given handlers in one consumer group; one record at a time, in order."""

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
    ) -> None:
        self._group_id = group_id
        self._handlers = {
            registry.for_message(event_type).name: handler for event_type, handler in handlers.items()
        }
        self._registry = registry
        self._dlq = dlq_producer
        self._max_attempts = max(1, max_attempts)
        self._backoff_s = backoff_s
        self._backoff_max_s = backoff_max_s
        config: dict[str, str | int] = {
            "bootstrap.servers": bootstrap,
            "group.id": group_id,
            "enable.auto.commit": "true",
            "enable.auto.offset.store": "false",
            "auto.offset.reset": "earliest",
            "auto.commit.interval.ms": 1000,
            "session.timeout.ms": 10000,
            "heartbeat.interval.ms": 1000,
        }
        config.update(extra_config or {})
        self._config = config
        # librdkafka calls stay on one thread; the event loop never blocks on poll.
        self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix=f"{group_id}-consumer")
        self._stop = asyncio.Event()
        self.assigned = asyncio.Event()

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
            while not self._stop.is_set():
                record = await loop.run_in_executor(self._executor, consumer.poll, 0.5)
                if record is None:
                    continue
                error = record.error()
                if error is not None:
                    if error.fatal():
                        raise KafkaException(error)
                    if error.code() != KafkaError._PARTITION_EOF:
                        logger.warning("kafka consumer error: %s", error)
                    continue
                try:
                    await self._process(record)
                except _StopRequestedError:
                    break
                await loop.run_in_executor(self._executor, self._store, consumer, record)
        finally:
            await loop.run_in_executor(self._executor, consumer.close)
            self._executor.shutdown(wait=False)

    @staticmethod
    def _store(consumer: Consumer, record: KafkaMessage) -> None:
        try:
            consumer.store_offsets(message=record)
        except KafkaException as error:
            # The partition was revoked meanwhile; its new owner will see the record again.
            logger.warning("could not store offset: %s", error)

    async def _process(self, record: KafkaMessage) -> None:
        topic = str(record.topic())
        headers = headers_dict(record.headers())
        key_bytes = record.key()
        key = key_bytes.decode("utf-8", "replace") if isinstance(key_bytes, bytes) else None
        try:
            event = decode(topic, record.value(), record.headers(), self._registry)
        except UndecodableMessageError as error:
            await self._dead_letter(record, "undecodable", str(error))
            return
        handler = self._handlers[topic]
        span_name = f"consume {topic}"
        with (
            ticket_context(key),
            tracer(__name__).start_as_current_span(span_name, context=propagate.extract(headers)),
        ):
            await self._handle_with_retries(handler, event, record, key, headers)

    async def _handle_with_retries(
        self, handler: Handler, event: Message, record: KafkaMessage, key: str | None, headers: dict[str, str]
    ) -> None:
        topic = str(record.topic())
        for attempt in range(1, self._max_attempts + 1):
            context = EventContext(
                topic=topic,
                partition=int(record.partition() or 0),
                offset=int(record.offset() or 0),
                key=key,
                headers=headers,
                attempt=attempt,
            )
            started = time.perf_counter()
            try:
                await handler(event, context)
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
        logger.error("record sent to %s: %s: %s", dlq_topic(topic), reason, error)
