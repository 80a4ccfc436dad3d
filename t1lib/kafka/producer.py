"""Publishing events: idempotent producer, keyed by the event's key field, awaitable delivery."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
import threading
from collections import deque
from collections.abc import Iterator, Sequence
from itertools import groupby

from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka import Message as KafkaMessage
from google.protobuf.message import Message
from opentelemetry.context import Context

from t1lib.config import DEFAULT_KAFKA_LINGER_MS, KafkaSettings
from t1lib.kafka.codec import EncodedEvent, Headers, encode_many
from t1lib.kafka.spans import runs, send_span
from t1lib.kafka.topics import REGISTRY, TopicRegistry
from t1lib.telemetry import KAFKA_PRODUCED
from t1lib.tracing import within

logger = logging.getLogger(__name__)


class Acks:
    """The broker's acknowledgements of records already handed to librdkafka, in the order produced.
    `wait` returns once all arrived and raises the first failure."""

    __slots__ = ("_deliveries",)

    def __init__(self, deliveries: Sequence[asyncio.Future[None]] = ()) -> None:
        self._deliveries = list(deliveries)

    def __add__(self, other: Acks) -> Acks:
        return Acks([*self._deliveries, *other._deliveries])

    def __len__(self) -> int:
        return len(self._deliveries)

    async def wait(self) -> None:
        # Every outcome is collected (none left unretrieved), then the first failure is raised.
        outcomes = await asyncio.gather(*self._deliveries, return_exceptions=True)
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome


class EventProducer:
    """One per process. `publish` returns once the broker acknowledged the event (acks=all); `hand_over`
    returns once librdkafka has the records, with their acknowledgements to wait for later."""

    def __init__(
        self,
        bootstrap: str,
        client_id: str,
        *,
        registry: TopicRegistry = REGISTRY,
        extra_config: dict[str, str | int] | None = None,
    ) -> None:
        self._registry = registry
        config: dict[str, str | int] = {
            "bootstrap.servers": bootstrap,
            "client.id": client_id,
            "enable.idempotence": "true",
            "acks": "all",
            "linger.ms": DEFAULT_KAFKA_LINGER_MS,
            "delivery.timeout.ms": 30000,
        }
        config.update(extra_config or {})
        self._producer = Producer(config)
        # Outcomes reported by librdkafka's callbacks (in the poll thread), handed to the event loops in one
        # wake-up per poll rather than one per record.
        self._outcomes: deque[tuple[asyncio.Future[None], KafkaError | None]] = deque()
        # t1_kafka_produced_total's child per topic, looked up once (this runs for every record)
        self._produced = functools.cache(KAFKA_PRODUCED.labels)
        self._stopping = threading.Event()
        self._poller = threading.Thread(
            target=self._poll_forever, name=f"{client_id}-producer-poll", daemon=True
        )
        self._poller.start()

    @classmethod
    def for_service(
        cls, settings: KafkaSettings, client_id: str, *, registry: TopicRegistry = REGISTRY
    ) -> EventProducer:
        """A producer with the service's settings (bootstrap, linger)."""
        return cls(
            settings.kafka_bootstrap,
            client_id,
            registry=registry,
            extra_config={"linger.ms": settings.kafka_linger_ms},
        )

    def _poll_forever(self) -> None:
        while not self._stopping.is_set():
            self._producer.poll(0.1)
            self._hand_over_outcomes()

    def _hand_over_outcomes(self) -> None:
        by_loop: dict[asyncio.AbstractEventLoop, list[tuple[asyncio.Future[None], KafkaError | None]]] = {}
        while self._outcomes:
            future, error = self._outcomes.popleft()
            by_loop.setdefault(future.get_loop(), []).append((future, error))
        for loop, outcomes in by_loop.items():
            with contextlib.suppress(RuntimeError):  # that loop is closed: nobody awaits these any more
                loop.call_soon_threadsafe(_settle, outcomes)

    async def publish(self, event: Message) -> None:
        await (await self.hand_over([event])).wait()

    async def publish_many(self, events: Sequence[Message]) -> None:
        """Produce the events in this order (kept per partition), then wait for every acknowledgement."""
        await (await self.hand_over(events)).wait()

    async def hand_over(
        self, events: Sequence[Message], causes: Sequence[Context | None] | None = None
    ) -> Acks:
        """Produce the events in this order (kept per partition) without waiting for the broker. Each
        event continues the trace of its cause (the context of the record it was made for) when
        `causes` is given, else the current one."""
        deliveries = []
        for cause, run in runs(events, causes):
            with within(cause):
                for topic, of_topic in self._by_topic(run):
                    with send_span(topic, len(of_topic)):
                        records = encode_many(of_topic, self._registry)
                    deliveries += [await self._produce(r.topic, r.key, r.value, r.headers) for r in records]
        return Acks(deliveries)

    def _by_topic(self, events: Sequence[Message]) -> Iterator[tuple[str, list[Message]]]:
        """Consecutive events of one topic (a span each), in order."""
        for topic, run in groupby(events, key=lambda event: self._registry.for_message(event).name):
            yield topic, list(run)

    async def publish_raw(self, record: EncodedEvent) -> None:
        await self.send(record.topic, record.key, record.value, record.headers)

    async def send(self, topic: str, key: bytes | None, value: bytes | None, headers: Headers) -> None:
        await (await self._produce(topic, key, value, headers))

    async def _produce(
        self, topic: str, key: bytes | None, value: bytes | None, headers: Headers
    ) -> asyncio.Future[None]:
        """Hand the record to librdkafka; the future completes on the broker's acknowledgement."""
        delivered: asyncio.Future[None] = asyncio.get_running_loop().create_future()

        def on_delivery(error: KafkaError | None, _message: KafkaMessage) -> None:
            self._outcomes.append((delivered, error))
            if error is None:
                self._produced(topic).inc()

        while True:
            try:
                self._producer.produce(topic, value=value, key=key, headers=headers, on_delivery=on_delivery)
                break
            except BufferError:
                # Local queue full: let deliveries drain, then try again.
                await asyncio.sleep(0.05)
        return delivered

    def broker_count(self, timeout_s: float) -> int:
        """Brokers in the cluster's metadata, asked of a broker now (blocking; KafkaException when none
        answers within `timeout_s`): the readiness check of a service's Kafka."""
        return len(self._producer.list_topics(timeout=timeout_s).brokers)

    def close(self, timeout_s: float = 10.0) -> None:
        """Deliver what is queued, then stop the poll thread."""
        remaining = self._producer.flush(timeout_s)
        self._hand_over_outcomes()
        if remaining:
            logger.error(
                "producer closed with undelivered messages", extra={"fields": {"undelivered": remaining}}
            )
        self._stopping.set()
        self._poller.join(timeout=2)


def _settle(outcomes: list[tuple[asyncio.Future[None], KafkaError | None]]) -> None:
    for future, error in outcomes:
        if future.done():
            continue
        if error is None:
            future.set_result(None)
        else:
            future.set_exception(KafkaException(error))
