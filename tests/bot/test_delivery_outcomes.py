"""The bot reports what became of each operator message (delivery_outcomes): sent, or failed with
Telegram's reason, also when it gives up retrying; a close has no message to report on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from fakes.telegram import FakeTelegram
from services.bot.config import BotSettings
from services.bot.service import BotService, build_bot
from t1.tickets.v1 import events_pb2 as tickets_events
from t1.tickets.v1 import ticket_pb2 as tickets
from t1lib.kafka.producer import EventProducer
from t1lib.kafka.topics import TopicRegistry
from tests.bot.helpers import TopicReader, wait_sent
from tests.bot.test_operator_replies import CHAT, REPLY, customer, operator_reply

pytestmark = pytest.mark.integration

__all__ = ["customer"]


async def outcomes(reader: TopicReader, count: int) -> list[tickets_events.DeliveryOutcome]:
    taken = await reader.take(count)
    found = [event for _key, event, _headers in taken]
    assert all(isinstance(event, tickets_events.DeliveryOutcome) for event in found)
    return [event for event in found if isinstance(event, tickets_events.DeliveryOutcome)]


@pytest.fixture
def outcome_reader(registry: TopicRegistry, reader_of: Callable[[str], TopicReader]) -> TopicReader:
    return reader_of(registry.for_message(tickets_events.DeliveryOutcome).name)


async def test_a_delivered_reply_is_reported_sent_again_for_a_duplicate(
    bot: BotService,
    telegram: FakeTelegram,
    customer: int,
    producer: EventProducer,
    outcome_reader: TopicReader,
) -> None:
    reply = operator_reply(delivery_attempt=2)
    await producer.publish(reply)
    await wait_sent(telegram, CHAT, 1)
    [sent] = await outcomes(outcome_reader, 1)
    assert (sent.status, sent.reason, sent.delivery_attempt) == (tickets.DELIVERY_STATUS_SENT, "", 2)
    assert (sent.ticket_id, sent.message_id, sent.reply_event_id) == (
        "ticket-42",
        "message-1",
        reply.event_id,
    )

    await producer.publish(reply)  # redelivered: not sent again, reported again under the same id
    [again] = await outcomes(outcome_reader, 1)
    assert again.event_id == sent.event_id
    assert [message.text for message in telegram.state.bot_messages(CHAT)] == [REPLY]


async def test_a_customer_who_blocked_the_bot_makes_the_reply_failed_with_the_reason(
    bot: BotService,
    telegram: FakeTelegram,
    sandbox: httpx.AsyncClient,
    customer: int,
    producer: EventProducer,
    outcome_reader: TopicReader,
) -> None:
    await sandbox.post(f"/sandbox/chats/{CHAT}/block", json={"blocked": True})
    closed = operator_reply("", kind=tickets_events.OPERATOR_REPLY_KIND_TICKET_CLOSED)
    await producer.publish(closed)  # refused too, but there is no message to report on
    await producer.publish(operator_reply())
    # The first outcome on the ticket's partition is the reply's: the close, handled before it, made none.
    [failed] = await outcomes(outcome_reader, 1)
    assert failed.status == tickets.DELIVERY_STATUS_FAILED
    assert failed.reason == "Forbidden: bot was blocked by the user"
    assert failed.message_id == "message-1"


async def test_a_reply_given_up_after_the_last_attempt_is_failed(
    make_settings: Callable[..., BotSettings],
    registry: TopicRegistry,
    telegram: FakeTelegram,
    sandbox: httpx.AsyncClient,
    customer: int,
    producer: EventProducer,
    outcome_reader: TopicReader,
) -> None:
    fault: dict[str, Any] = {"method": "sendMessage", "count": 100, "kind": "error", "status": 502}
    await sandbox.post("/sandbox/faults", json={**fault, "description": "Bad Gateway"})
    settings = make_settings(kafka_max_attempts=2, bot_send_attempts=2)
    async with build_bot(settings, registry).running():
        await producer.publish(operator_reply())
        [failed] = await outcomes(outcome_reader, 1)
    assert failed.status == tickets.DELIVERY_STATUS_FAILED
    assert failed.reason.startswith("retries exhausted: ")
    assert "Bad Gateway" in failed.reason
    assert len(telegram.state.calls_of("sendMessage", CHAT)) == 4  # 2 consumer attempts x 2 tries each
