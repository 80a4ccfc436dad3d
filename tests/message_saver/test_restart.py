"""message_saver stopped mid-stream and started again in the same consumer group loses nothing and
stores nothing twice."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest

from t1.tickets.v1 import ticket_service_pb2 as api
from tests.message_saver.conftest import Harness, customer_message
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

CHATS = 20
PER_CHAT = 30
BATCH = 10  # small polls, so a stop lands mid-stream


async def test_restart_mid_stream_stores_every_message_exactly_once(harness: Harness) -> None:
    harness.settings.kafka_max_batch = BATCH
    events = [
        customer_message(700 + chat, number, f"Клиент {chat}: сообщение {number}")
        for number in range(1, PER_CHAT + 1)
        for chat in range(CHATS)
    ]
    total = len(events)
    first = await harness.start_app()
    await harness.producer.publish_many(events)  # all at once: a backlog the service works through

    async def stored_at_least(count: int) -> bool:
        return await harness.db["messages"].count_documents({}) >= count

    await eventually(lambda: stored_at_least(total // 3), what="a third of the messages")
    await first.stop()
    stored_before_restart = await harness.db["messages"].count_documents({})
    assert stored_before_restart < total, "stopped too late to test a restart"

    second = await harness.start_app()
    stub = harness.stub(second)
    await eventually(lambda: stored_at_least(total), what="all messages after the restart")
    await asyncio.sleep(2)  # anything handled twice would show up now

    messages = await harness.messages()
    assert len(messages) == total
    assert Counter((m["chat_id"], m["telegram_message_id"]) for m in messages).most_common(1)[0][1] == 1
    tickets = await harness.tickets()
    assert len(tickets) == CHATS, "a chat got a second ticket"
    for ticket in tickets:
        texts = [
            m["text"] for m in sorted(messages, key=lambda m: m["seq"]) if m["ticket_id"] == ticket["_id"]
        ]
        chat = ticket["chat_id"] - 700
        assert texts == [f"Клиент {chat}: сообщение {number}" for number in range(1, PER_CHAT + 1)]
        shown = (await stub.GetTicket(api.GetTicketRequest(ticket_id=ticket["_id"]))).ticket
        assert shown.last_message_preview == f"Клиент {chat}: сообщение {PER_CHAT}"
        listed = await stub.ListMessages(api.ListMessagesRequest(ticket_id=ticket["_id"], page_size=100))
        assert [message.text for message in listed.messages] == texts

    await eventually(lambda: len({n.message.id for n in harness.notifications("message.created")}) == total)
    created = harness.notifications("message.created")
    by_message = {(n.message.id, n.event_id) for n in created}
    assert len(by_message) == total, "a message was announced under two event ids"
    await eventually(lambda: len({request.ticket_id for request in harness.title_requests()}) == CHATS)
    assert len({request.event_id for request in harness.title_requests()}) == CHATS

    # Stopping writes every ticket document up to its log (its checkpoint).
    await second.stop()
    for ticket in await harness.tickets():
        chat = ticket["chat_id"] - 700
        assert ticket["last_message_preview"] == f"Клиент {chat}: сообщение {PER_CHAT}"
        assert ticket["entry_count"] == PER_CHAT
