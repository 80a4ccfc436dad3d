"""getUpdates polling against the fake Telegram: what is read without the library and what is left to it,
the order kept, confirmation of what was taken, and a refused token ending the polling."""

from __future__ import annotations

import asyncio

import httpx
import pytest
from telegram import Bot, Update

from fakes.telegram import FakeTelegram
from services.bot.incoming import IncomingMessage
from services.bot.polling import TelegramAuthError, UpdatePoller
from tests.bot.helpers import send


def poller_for(
    telegram: FakeTelegram, queue: asyncio.Queue[object], token: str | None = None, interval_s: float = 0
) -> UpdatePoller:
    """A poller of the fake Telegram; `token`: the one it asks getUpdates with (the right one by default)."""
    return UpdatePoller(
        bot=Bot(telegram.token, base_url=f"{telegram.url}/bot"),
        queue=queue,
        method_url=f"{telegram.url}/bot{token or telegram.token}",
        timeout_s=2,
        interval_s=interval_s,
        allowed_updates=["message", "edited_message"],
        backoff_s=0.05,
    )


async def take(queue: asyncio.Queue[object], count: int) -> list[object]:
    return [await asyncio.wait_for(queue.get(), 10) for _ in range(count)]


async def test_plain_messages_come_read_and_the_rest_as_library_updates_in_telegrams_order(
    telegram: FakeTelegram, sandbox: httpx.AsyncClient
) -> None:
    queue: asyncio.Queue[object] = asyncio.Queue()
    poller = poller_for(telegram, queue)
    await poller.start()
    try:
        await send(sandbox, 501, text="/start", first_name="Анна", language_code="ru")
        await send(sandbox, 501, text="Здравствуйте, карта не работает")
        await send(sandbox, 502, text="А у меня вопрос по вкладу")
        start, question, other = await take(queue, 3)
    finally:
        await poller.stop()
    assert isinstance(start, Update)
    assert start.message is not None
    assert start.message.text == "/start"
    assert isinstance(question, IncomingMessage)
    assert (question.chat_id, question.text) == (501, "Здравствуйте, карта не работает")
    assert isinstance(other, IncomingMessage)
    assert other.chat_id == 502


async def test_updates_taken_are_confirmed_and_not_delivered_again(
    telegram: FakeTelegram, sandbox: httpx.AsyncClient
) -> None:
    queue: asyncio.Queue[object] = asyncio.Queue()
    first = poller_for(telegram, queue)
    await first.start()
    await send(sandbox, 503, text="первое")
    [taken] = await take(queue, 1)
    await first.stop()
    await first.confirm()
    assert isinstance(taken, IncomingMessage)

    second = poller_for(telegram, queue)
    await second.start()
    try:
        await send(sandbox, 503, text="второе")  # the sentinel: once it is here, a repeat would be too
        [after] = await take(queue, 1)
    finally:
        await second.stop()
    assert isinstance(after, IncomingMessage)
    assert after.text == "второе"
    assert queue.empty()


async def test_a_refused_token_ends_the_polling(telegram: FakeTelegram) -> None:
    queue: asyncio.Queue[object] = asyncio.Queue()
    wrong = poller_for(telegram, queue, token="999:wrong")
    await wrong.start()
    assert wrong.task is not None
    with pytest.raises(TelegramAuthError):
        await asyncio.wait_for(wrong.task, 10)
    assert queue.empty()


async def test_a_backlog_is_taken_without_pausing_between_full_answers(
    telegram: FakeTelegram, sandbox: httpx.AsyncClient
) -> None:
    """250 updates waiting: three answers (100, 100, 50). Pausing 5 s after each would take 10 s."""
    body = [{"chat_id": 600 + n % 50, "text": f"вопрос {n}", "first_name": "Анна"} for n in range(250)]
    answer = await sandbox.post("/sandbox/messages:batch", json=body)
    assert answer.status_code == 200, answer.text
    queue: asyncio.Queue[object] = asyncio.Queue()
    poller = poller_for(telegram, queue, interval_s=5)
    started = asyncio.get_running_loop().time()
    await poller.start()
    try:
        taken = await take(queue, 250)
    finally:
        await poller.stop()
    assert asyncio.get_running_loop().time() - started < 4
    texts = [item.text for item in taken if isinstance(item, IncomingMessage)]
    assert texts == [item["text"] for item in body]
