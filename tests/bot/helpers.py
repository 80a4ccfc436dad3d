"""Helpers of the bot tests: reading topics and waiting for what the bot sent to the fake Telegram."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from confluent_kafka import Consumer
from google.protobuf.message import Message

from fakes.telegram import FakeTelegram, StoredMessage
from t1.tickets.v1 import events_pb2 as tickets_events
from t1lib.kafka.codec import decode, headers_dict
from t1lib.kafka.topics import TopicRegistry


class TopicReader:
    """Reads a topic from the beginning with a consumer group of its own, decoding the events."""

    def __init__(self, bootstrap: str, topic: str, registry: TopicRegistry) -> None:
        self.topic = topic
        self._registry = registry
        self._consumer = Consumer(
            {
                "bootstrap.servers": bootstrap,
                "group.id": f"reader-{uuid.uuid4()}",
                "auto.offset.reset": "earliest",
                "enable.auto.commit": False,
            }
        )
        self._consumer.subscribe([topic])

    def _poll(self, count: int, timeout_s: float) -> list[tuple[str, bytes, dict[str, str]]]:
        records: list[tuple[str, bytes, dict[str, str]]] = []
        deadline = time.monotonic() + timeout_s
        while len(records) < count and time.monotonic() < deadline:
            record = self._consumer.poll(0.2)
            if record is None or record.error():
                continue
            records.append(
                ((record.key() or b"").decode(), record.value() or b"", headers_dict(record.headers()))
            )
        return records

    async def take_raw(self, count: int, timeout_s: float = 30) -> list[tuple[str, bytes, dict[str, str]]]:
        """The next `count` records as (key, value, headers); fails when fewer arrive in time."""
        records = await asyncio.to_thread(self._poll, count, timeout_s)
        assert len(records) == count, f"expected {count} records on {self.topic}, got {len(records)}"
        return records

    async def take(self, count: int, timeout_s: float = 30) -> list[tuple[str, Message, dict[str, str]]]:
        """The next `count` events of the topic as (key, event, headers)."""
        records = await self.take_raw(count, timeout_s)
        return [
            (key, decode(self.topic, value, list(headers.items()), self._registry), headers)
            for key, value, headers in records
        ]

    async def none_within(self, timeout_s: float) -> None:
        records = await asyncio.to_thread(self._poll, 1, timeout_s)
        assert records == [], f"unexpected records on {self.topic}: {records}"

    def close(self) -> None:
        self._consumer.close()


async def wait_sent(
    telegram: FakeTelegram, chat_id: int, count: int, method: str | None = None, timeout_s: float = 30
) -> list[StoredMessage]:
    """The bot's messages in the chat once there are at least `count` of them (of `method`, if given)."""

    def enough() -> list[StoredMessage] | None:
        sent = telegram.state.bot_messages(chat_id, method)
        return sent if len(sent) >= count else None

    return await telegram.state.wait_for(enough, timeout_s)


async def send(sandbox: httpx.AsyncClient, chat_id: int, **fields: Any) -> dict[str, Any]:
    """The customer writes through the sandbox (a `files` field makes it multipart); returns the result."""
    files = fields.pop("files", None)
    if files:
        answer = await sandbox.post(f"/sandbox/chats/{chat_id}/messages", data=fields, files=files)
    else:
        answer = await sandbox.post(f"/sandbox/chats/{chat_id}/messages", json=fields)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()["result"]
    return result


def tickets_reader(reader_of: Callable[[str], TopicReader], registry: TopicRegistry) -> TopicReader:
    return reader_of(registry.for_message(tickets_events.TicketCreated).name)
