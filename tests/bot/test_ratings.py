"""Ratings in Telegram: the closing message carries 1-5 buttons; a press publishes ReviewSubmitted, is
confirmed by editing that message, and a later press replaces the score; after the rating window a
press is answered politely and publishes nothing."""

from __future__ import annotations

import random
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
import redis.asyncio as redis_async

from fakes.telegram import FakeTelegram
from fakes.telegram.state import StoredMessage
from services.bot import ratings, texts
from services.bot.service import BotService, build_bot
from t1.stats.v1 import events_pb2 as stats_events
from t1.tickets.v1 import events_pb2 as tickets_events
from t1lib.events import new_event, to_datetime
from t1lib.kafka.producer import EventProducer
from t1lib.kafka.topics import TopicRegistry
from tests.bot.conftest import SettingsFactory
from tests.bot.helpers import TopicReader, send, tickets_reader, wait_sent

pytestmark = pytest.mark.integration

CLOSED = tickets_events.OPERATOR_REPLY_KIND_TICKET_CLOSED


def closing(ticket_id: str, chat_id: int, **fields: Any) -> tickets_events.OperatorReply:
    return new_event(
        tickets_events.OperatorReply,
        ticket_id=ticket_id,
        chat_id=chat_id,
        operator_id="operator-7",
        kind=CLOSED,
        language_code=fields.pop("language_code", "ru"),
        **fields,
    )


@pytest.fixture
async def customer(sandbox: httpx.AsyncClient) -> int:
    chat = random.randrange(10**9, 2 * 10**9)  # a chat of its own: nothing awaited from earlier tests
    answer = await sandbox.post(f"/sandbox/chats/{chat}", json={"first_name": "Иван", "language_code": "ru"})
    assert answer.status_code == 200
    return chat


@pytest.fixture
def reviews(reader_of: Callable[[str], TopicReader], registry: TopicRegistry) -> TopicReader:
    return reader_of(registry.for_message(stats_events.ReviewSubmitted).name)


async def press(sandbox: httpx.AsyncClient, chat_id: int, message_id: int, data: str) -> str:
    answer = await sandbox.post(f"/sandbox/chats/{chat_id}/messages/{message_id}/press", json={"data": data})
    assert answer.status_code == 200, answer.text
    return str(answer.json()["result"]["callback_query_id"])


async def answered(telegram: FakeTelegram, query_id: str) -> dict[str, Any]:
    def answer() -> dict[str, Any] | None:
        entry = telegram.state.callback_queries.get(query_id)
        return None if entry is None else entry["answer"]

    result: dict[str, Any] = await telegram.state.wait_for(answer, 30)
    return result


async def edited_to(telegram: FakeTelegram, chat_id: int, message_id: int, text: str) -> StoredMessage:
    def edited() -> StoredMessage | None:
        stored = telegram.state.message(chat_id, message_id)
        return stored if stored is not None and stored.text == text else None

    result: StoredMessage = await telegram.state.wait_for(edited, 30)
    return result


async def test_a_press_publishes_the_review_confirms_it_and_a_later_press_replaces_the_score(
    bot: BotService,
    telegram: FakeTelegram,
    sandbox: httpx.AsyncClient,
    customer: int,
    producer: EventProducer,
    reviews: TopicReader,
) -> None:
    ticket = f"ticket-{uuid.uuid4()}"  # Redis outlives a test run: a ticket of its own
    close = closing(ticket, customer)
    await producer.publish(close)
    [prompt] = await wait_sent(telegram, customer, 1)
    buttons = [button for row in prompt.payload["reply_markup"]["inline_keyboard"] for button in row]
    assert [button["text"] for button in buttons] == ["1", "2", "3", "4", "5"]
    assert [button["callback_data"] for button in buttons] == [f"rate:{ticket}:{n}" for n in range(1, 6)]

    first = await press(sandbox, customer, prompt.message_id, f"rate:{ticket}:4")
    [(key, review, _headers)] = await reviews.take(1)
    assert key == ticket
    assert isinstance(review, stats_events.ReviewSubmitted)
    assert (review.ticket_id, review.operator_id, review.rating, review.chat_id) == (
        ticket,
        "operator-7",
        4,
        customer,
    )
    assert review.customer_name == "Иван"
    assert review.ticket_closed_at.seconds == close.occurred_at.seconds
    assert review.event_id == ratings.review_event_id(first)
    await answered(telegram, first)
    edited = await edited_to(
        telegram, customer, prompt.message_id, f"Спасибо за оценку: 4\n{texts.COMMENT_INVITE['ru']}"
    )
    assert edited.payload["reply_markup"] == prompt.payload["reply_markup"], "the buttons stay for a change"

    second = await press(sandbox, customer, prompt.message_id, f"rate:{ticket}:2")
    [(_key, changed, _headers)] = await reviews.take(1)
    assert isinstance(changed, stats_events.ReviewSubmitted)
    assert changed.rating == 2
    assert changed.event_id != review.event_id
    assert to_datetime(changed.rated_at) >= to_datetime(review.rated_at)
    await answered(telegram, second)
    await edited_to(telegram, customer, prompt.message_id, "Спасибо за оценку: 2")


async def test_after_the_rating_window_a_press_is_answered_politely_and_publishes_nothing(
    bot: BotService,
    telegram: FakeTelegram,
    sandbox: httpx.AsyncClient,
    customer: int,
    producer: EventProducer,
    reviews: TopicReader,
) -> None:
    old_ticket, new_ticket = f"ticket-{uuid.uuid4()}", f"ticket-{uuid.uuid4()}"
    await producer.publish(closing(old_ticket, customer))
    [old] = await wait_sent(telegram, customer, 1)
    await producer.publish(closing(new_ticket, customer))
    [_old, new] = await wait_sent(telegram, customer, 2)
    # The window has passed for the old ticket: its prompt expired from Redis.
    redis = redis_async.Redis.from_url(bot.settings.redis_url)
    try:
        assert await redis.delete(ratings.PREFIX + old_ticket) == 1
    finally:
        await redis.aclose()

    late = await press(sandbox, customer, old.message_id, f"rate:{old_ticket}:5")
    answer = await answered(telegram, late)
    assert answer["text"] == texts.RATING_EXPIRED["ru"]
    # A press on the newer closing message still counts for its own ticket, and is the only review: the
    # late press, handled before it in the same chat, published nothing.
    await press(sandbox, customer, new.message_id, f"rate:{new_ticket}:3")
    [(key, review, _headers)] = await reviews.take(1)
    assert isinstance(review, stats_events.ReviewSubmitted)
    assert (key, review.rating) == (new_ticket, 3)
    unchanged = telegram.state.message(customer, old.message_id)
    assert unchanged is not None
    assert unchanged.text == old.text


async def test_the_next_message_after_a_press_is_the_comment_unless_it_is_clearly_a_new_question(
    bot: BotService,
    telegram: FakeTelegram,
    sandbox: httpx.AsyncClient,
    customer: int,
    producer: EventProducer,
    reviews: TopicReader,
    reader_of: Callable[[str], TopicReader],
    registry: TopicRegistry,
) -> None:
    incoming = tickets_reader(reader_of, registry)
    ticket = f"ticket-{uuid.uuid4()}"
    await producer.publish(closing(ticket, customer))
    [prompt] = await wait_sent(telegram, customer, 1)
    await press(sandbox, customer, prompt.message_id, f"rate:{ticket}:4")
    [(_key, rated, _headers)] = await reviews.take(1)
    assert isinstance(rated, stats_events.ReviewSubmitted)
    assert rated.comment == ""

    await send(sandbox, customer, text="Оператор Анна очень помогла, спасибо")
    [(key, commented, _headers)] = await reviews.take(1)
    assert isinstance(commented, stats_events.ReviewSubmitted)
    assert (key, commented.rating, commented.comment) == (ticket, 4, "Оператор Анна очень помогла, спасибо")
    thanks = await wait_sent(telegram, customer, 2, "sendMessage")
    assert thanks[-1].text == texts.COMMENT_THANKS["ru"]

    # Asked once: the next message is a customer message again (and the comment was not one: this is
    # the only TicketCreated).
    await send(sandbox, customer, text="И ещё: когда придёт выписка")
    [(_key, created, _headers)] = await incoming.take(1)
    assert isinstance(created, tickets_events.TicketCreated)
    assert created.text == "И ещё: когда придёт выписка"

    # A later press keeps the comment in the review it publishes.
    await press(sandbox, customer, prompt.message_id, f"rate:{ticket}:5")
    [(_key, changed, _headers)] = await reviews.take(1)
    assert isinstance(changed, stats_events.ReviewSubmitted)
    assert (changed.rating, changed.comment) == (5, "Оператор Анна очень помогла, спасибо")

    # After the first press of another ticket, a clear new question is not taken as the comment.
    other = f"ticket-{uuid.uuid4()}"
    await producer.publish(closing(other, customer))
    closing_messages = await wait_sent(telegram, customer, 3, "sendMessage")
    await press(sandbox, customer, closing_messages[-1].message_id, f"rate:{other}:3")
    await reviews.take(1)
    await send(sandbox, customer, text="Как перевыпустить карту?")
    [(_key, question, _headers)] = await incoming.take(1)
    assert isinstance(question, tickets_events.TicketCreated)
    assert question.text == "Как перевыпустить карту?"
    await press(sandbox, customer, closing_messages[-1].message_id, f"rate:{other}:2")
    [(_key, last, _headers)] = await reviews.take(1)
    assert isinstance(last, stats_events.ReviewSubmitted)
    assert (last.ticket_id, last.rating, last.comment) == (other, 2, "")


async def test_a_comment_invited_before_a_restart_is_still_taken_as_the_comment(
    make_settings: SettingsFactory,
    registry: TopicRegistry,
    telegram: FakeTelegram,
    sandbox: httpx.AsyncClient,
    customer: int,
    producer: EventProducer,
    reviews: TopicReader,
    reader_of: Callable[[str], TopicReader],
) -> None:
    incoming = tickets_reader(reader_of, registry)
    ticket = f"ticket-{uuid.uuid4()}"
    async with build_bot(make_settings(), registry).running():
        await producer.publish(closing(ticket, customer))
        [prompt] = await wait_sent(telegram, customer, 1)
        await press(sandbox, customer, prompt.message_id, f"rate:{ticket}:5")
        await reviews.take(1)
    async with build_bot(make_settings(), registry).running():
        await send(sandbox, customer, text="Быстро и вежливо")
        [(_key, commented, _headers)] = await reviews.take(1)
        assert isinstance(commented, stats_events.ReviewSubmitted)
        assert (commented.ticket_id, commented.rating, commented.comment) == (ticket, 5, "Быстро и вежливо")
        # Asked once, also across the restart: the next message opens a ticket, and it is the only one.
        await send(sandbox, customer, text="Ещё вопрос по карте")
        [(_key, created, _headers)] = await incoming.take(1)
        assert isinstance(created, tickets_events.TicketCreated)
        assert created.text == "Ещё вопрос по карте"
