"""operator_typing → «печатает…»: the bot calls sendChatAction(typing) on the fake Telegram, at most once
per chat per window, drops stale events, never retries, and never holds up a reply.

Events of one ticket are handled in order, so a later event of the same ticket for another chat is the
sentinel: once its call arrived, every earlier event of the ticket has been handled."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from fakes.telegram import FakeTelegram
from fakes.telegram.state import CallRecord
from services.bot.config import BotSettings
from services.bot.service import BotService, build_bot
from t1.tickets.v1 import events_pb2 as tickets_events
from t1lib.events import new_event, timestamp
from t1lib.kafka.producer import EventProducer
from t1lib.kafka.topics import TopicRegistry
from tests.bot.helpers import wait_sent

pytestmark = pytest.mark.integration

CUSTOMER, SENTINEL = 6670001, 6670002
TICKET = "ticket-typing-1"


def typing(chat_id: int, age_s: float = 0.0) -> tickets_events.OperatorTyping:
    event = new_event(tickets_events.OperatorTyping, ticket_id=TICKET, chat_id=chat_id, operator_id="op-7")
    if age_s:
        event.occurred_at.CopyFrom(timestamp(datetime.now(UTC) - timedelta(seconds=age_s)))
    return event


@pytest.fixture
async def customers(sandbox: httpx.AsyncClient) -> None:
    for chat_id in (CUSTOMER, SENTINEL):
        answer = await sandbox.post(f"/sandbox/chats/{chat_id}", json={"first_name": "Иван"})
        assert answer.status_code == 200


def actions(telegram: FakeTelegram, chat_id: int) -> list[CallRecord]:
    return telegram.state.calls_of("sendChatAction", chat_id)


async def sentinel_handled(telegram: FakeTelegram, producer: EventProducer) -> None:
    await producer.publish(typing(SENTINEL))
    await telegram.state.wait_for(lambda: actions(telegram, SENTINEL), timeout_s=30)


async def test_typing_events_become_one_chat_action_per_window(
    bot: BotService, telegram: FakeTelegram, customers: None, producer: EventProducer
) -> None:
    for _ in range(3):  # an operator typing on: the console's calls and the gateway's events
        await producer.publish(typing(CUSTOMER))
    await sentinel_handled(telegram, producer)
    [call] = actions(telegram, CUSTOMER)
    assert call.status == 200
    assert call.params["action"] == "typing"
    assert str(call.params["chat_id"]) == str(CUSTOMER)
    assert telegram.state.chats[CUSTOMER].action == "typing"


async def test_stale_events_are_dropped(
    bot: BotService, telegram: FakeTelegram, customers: None, producer: EventProducer
) -> None:
    await producer.publish(typing(CUSTOMER, age_s=10))
    await sentinel_handled(telegram, producer)
    assert actions(telegram, CUSTOMER) == []


async def test_a_refused_or_failing_call_is_tried_once(
    bot: BotService,
    telegram: FakeTelegram,
    sandbox: httpx.AsyncClient,
    customers: None,
    producer: EventProducer,
) -> None:
    await sandbox.post(f"/sandbox/chats/{CUSTOMER}/block", json={"blocked": True})
    await producer.publish(typing(CUSTOMER))
    await sentinel_handled(telegram, producer)
    assert [call.status for call in actions(telegram, CUSTOMER)] == [403]

    other, later = CUSTOMER + 10, SENTINEL + 10  # chats of their own: not throttled
    for chat_id in (other, later):
        await sandbox.post(f"/sandbox/chats/{chat_id}", json={"first_name": "Анна"})
    await sandbox.post("/sandbox/faults", json={"method": "sendChatAction", "kind": "error", "status": 502})
    await producer.publish(typing(other))
    await producer.publish(typing(later))
    await telegram.state.wait_for(lambda: actions(telegram, later), timeout_s=30)
    assert [call.status for call in actions(telegram, other)] == [502]


async def test_a_hanging_chat_action_never_holds_up_a_reply(
    make_settings: Callable[..., BotSettings],
    registry: TopicRegistry,
    telegram: FakeTelegram,
    sandbox: httpx.AsyncClient,
    customers: None,
    producer: EventProducer,
) -> None:
    await sandbox.post("/sandbox/faults", json={"method": "sendChatAction", "kind": "delay", "delay_s": 4})
    async with build_bot(make_settings(bot_typing_timeout_s=10), registry).running():
        await producer.publish(typing(CUSTOMER))
        await producer.publish(
            new_event(
                tickets_events.OperatorReply,
                ticket_id=TICKET,
                chat_id=CUSTOMER,
                message_id="message-1",
                operator_id="op-7",
                text="Здравствуйте! Уже смотрю.",
                kind=tickets_events.OPERATOR_REPLY_KIND_MESSAGE,
            )
        )
        [reply] = await wait_sent(telegram, CUSTOMER, 1)
        assert reply.text == "Здравствуйте! Уже смотрю."
        # The typing call is still waiting on Telegram: the reply went out beside it, not after it.
        assert actions(telegram, CUSTOMER) == []
        await telegram.state.wait_for(lambda: actions(telegram, CUSTOMER), timeout_s=30)
