"""Reading what services publish: every record of some topics, from the beginning, in a background thread."""

from __future__ import annotations

import threading
import uuid
from dataclasses import dataclass

from confluent_kafka import OFFSET_BEGINNING, Consumer, TopicPartition
from google.protobuf.message import Message

from t1lib.kafka.codec import headers_dict
from t1lib.kafka.topics import TopicRegistry

PARTITIONS = 3  # as the tests' registries create their topics


@dataclass
class Record:
    topic: str
    key: bytes | None
    value: bytes | None
    headers: dict[str, str]
    event: Message | None  # decoded, except on dead-letter topics

    @property
    def key_text(self) -> str:
        return (self.key or b"").decode()


class Reader:
    """Reads topics from the beginning (no consumer group: plain assignment of every partition)."""

    def __init__(
        self, bootstrap: str, registry: TopicRegistry, topics: list[str], partitions: int = PARTITIONS
    ) -> None:
        self._registry = registry
        self._consumer = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": f"reader-{uuid.uuid4()}",
                "enable.auto.commit": False,
            }
        )
        self._consumer.assign(
            [
                TopicPartition(topic, partition, OFFSET_BEGINNING)
                for topic in topics
                for partition in range(partitions)
            ]
        )
        self._records: list[Record] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="test-reader", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            record = self._consumer.poll(0.1)
            if record is None or record.error():
                continue
            topic = str(record.topic())
            event: Message | None = None
            if not topic.endswith(".dlq"):
                event = self._registry.by_name(topic).message_type()
                event.ParseFromString(record.value() or b"")
            with self._lock:
                self._records.append(
                    Record(topic, record.key(), record.value(), headers_dict(record.headers()), event)
                )
        self._consumer.close()

    def close(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)

    def records(self, topic: str) -> list[Record]:
        with self._lock:
            return [record for record in self._records if record.topic == topic]
