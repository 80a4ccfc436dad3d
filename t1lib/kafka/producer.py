"""Publishing events: idempotent producer, keyed by the event's key field, awaitable delivery."""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Sequence

from confluent_kafka import KafkaError, KafkaException, Producer
from confluent_kafka import Message as KafkaMessage
from google.protobuf.message import Message

from t1lib.kafka.codec import EncodedEvent, Headers, encode
from t1lib.kafka.topics import REGISTRY, TopicRegistry

logger = logging.getLogger(__name__)


class EventProducer:
    """One per process. `publish` returns once the broker acknowledged the event (acks=all)."""

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
            "linger.ms": 5,
            "delivery.timeout.ms": 30000,
        }
        config.update(extra_config or {})
        self._producer = Producer(config)
        self._stopping = threading.Event()
        self._poller = threading.Thread(
            target=self._poll_forever, name=f"{client_id}-producer-poll", daemon=True
        )
        self._poller.start()

    def _poll_forever(self) -> None:
        while not self._stopping.is_set():
            self._producer.poll(0.1)

    async def publish(self, event: Message) -> None:
        await self.publish_raw(encode(event, self._registry))

    async def publish_many(self, events: Sequence[Message]) -> None:
        """Produce the events in this order (kept per partition), then wait for every acknowledgement."""
        records = [encode(event, self._registry) for event in events]
        deliveries = [
            self._produce(record.topic, record.key, record.value, record.headers) for record in records
        ]
        await asyncio.gather(*[await delivery for delivery in deliveries])

    async def publish_raw(self, record: EncodedEvent) -> None:
        await self.send(record.topic, record.key, record.value, record.headers)

    async def send(self, topic: str, key: bytes | None, value: bytes | None, headers: Headers) -> None:
        await (await self._produce(topic, key, value, headers))

    async def _produce(
        self, topic: str, key: bytes | None, value: bytes | None, headers: Headers
    ) -> asyncio.Future[None]:
        """Hand the record to librdkafka; the future completes on the broker's acknowledgement."""
        loop = asyncio.get_running_loop()
        delivered: asyncio.Future[None] = loop.create_future()

        def on_delivery(error: KafkaError | None, _message: KafkaMessage) -> None:
            if delivered.done():
                return
            if error is not None:
                loop.call_soon_threadsafe(_set_exception, delivered, KafkaException(error))
            else:
                loop.call_soon_threadsafe(_set_result, delivered)

        while True:
            try:
                self._producer.produce(topic, value=value, key=key, headers=headers, on_delivery=on_delivery)
                break
            except BufferError:
                # Local queue full: let deliveries drain, then try again.
                await asyncio.sleep(0.05)
        return delivered

    def close(self, timeout_s: float = 10.0) -> None:
        """Deliver what is queued, then stop the poll thread."""
        remaining = self._producer.flush(timeout_s)
        if remaining:
            logger.error(
                "producer closed with undelivered messages", extra={"fields": {"undelivered": remaining}}
            )
        self._stopping.set()
        self._poller.join(timeout=2)


def _set_result(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


def _set_exception(future: asyncio.Future[None], error: BaseException) -> None:
    if not future.done():
        future.set_exception(error)
