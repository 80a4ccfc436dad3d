"""Customer messages handled concurrently across chats: each chat's messages reach ticket_created in the order
the customer sent them, none lost or duplicated; a slow chat does not hold up the others; a failed publish
still gets the customer the NOT_ACCEPTED answer; stopping finishes the updates already taken from Telegram."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from google.protobuf.message import Message

from fakes.telegram import FakeTelegram
from fakes.telegram.media import sample_png
from services.bot import texts
from services.bot.config import BotSettings
from services.bot.service import BotService, build_bot
from t1.tickets.v1 import events_pb2 as tickets_events
from t1lib.events import to_datetime
from t1lib.kafka.topics import TopicRegistry
from tests.bot.helpers import TopicReader, send, tickets_reader, wait_sent

pytestmark = pytest.mark.integration

FIRST_CHAT = 5560001
CHATS = 20
PER_CHAT = 30


def created(records: list[tuple[str, Message, dict[str, str]]]) -> list[tickets_events.TicketCreated]:
    events = [event for _key, event, _headers in records]
    assert all(isinstance(event, tickets_events.TicketCreated) for event in events)
    return events  # type: ignore[return-value]


def photo_upload(seed: int) -> dict[str, tuple[str, bytes, str]]:
    return {"file": ("screen.png", sample_png(320, 200, seed=seed), "image/png")}


async def test_each_chats_messages_are_published_in_order_while_chats_run_in_parallel(
    bot: BotService,
    sandbox: httpx.AsyncClient,
    registry: TopicRegistry,
    reader_of: Callable[[str], TopicReader],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Random publish latency: without per-chat ordering, a chat's messages would overtake each other.
    publish, rng = bot.producer.publish, random.Random(5)
    in_flight = most_in_flight = 0

    async def jittered(event: Message) -> None:
        nonlocal in_flight, most_in_flight
        in_flight += 1
        most_in_flight = max(most_in_flight, in_flight)
        try:
            await asyncio.sleep(rng.uniform(0, 0.01))
            await publish(event)
        finally:
            in_flight -= 1

    monkeypatch.setattr(bot.producer, "publish", jittered)
    chats = range(FIRST_CHAT, FIRST_CHAT + CHATS)

    async def write(chat_id: int) -> list[int]:
        return [(await send(sandbox, chat_id, text=f"{chat_id}: {n}"))["message_id"] for n in range(PER_CHAT)]

    sent = dict(zip(chats, await asyncio.gather(*(write(chat_id) for chat_id in chats)), strict=True))
    reader = tickets_reader(reader_of, registry)
    by_chat: dict[int, list[tickets_events.TicketCreated]] = defaultdict(list)
    for key, event, _headers in await reader.take(CHATS * PER_CHAT, timeout_s=60):
        assert isinstance(event, tickets_events.TicketCreated)
        assert key == str(event.chat_id)
        by_chat[event.chat_id].append(event)
    for chat_id in chats:
        assert [event.telegram_message_id for event in by_chat[chat_id]] == sent[chat_id]
        assert [event.text for event in by_chat[chat_id]] == [f"{chat_id}: {n}" for n in range(PER_CHAT)]
    assert most_in_flight > 1  # chats really were handled at the same time

    # A last message in every chat: a duplicate of an earlier one would have been published before it.
    sentinels = await asyncio.gather(*(send(sandbox, chat_id, text="последнее") for chat_id in chats))
    tail = created(await reader.take(CHATS))
    assert sorted(event.telegram_message_id for event in tail) == sorted(s["message_id"] for s in sentinels)
    assert {event.text for event in tail} == {"последнее"}
    await reader.none_within(1.0)


async def test_a_slow_chat_does_not_hold_up_other_chats(
    bot: BotService,
    sandbox: httpx.AsyncClient,
    registry: TopicRegistry,
    reader_of: Callable[[str], TopicReader],
) -> None:
    slow, others = FIRST_CHAT, [FIRST_CHAT + 1, FIRST_CHAT + 2]
    await sandbox.post("/sandbox/faults", json={"method": "getFile", "kind": "delay", "delay_s": 3})
    photo = await send(sandbox, slow, kind="photo", caption="Ошибка на экране", files=photo_upload(1))
    follow_up = await send(sandbox, slow, text="Это после скриншота")
    for chat_id in others:
        await send(sandbox, chat_id, text="У меня другой вопрос")

    events = created(await tickets_reader(reader_of, registry).take(4))
    slow_events = [event for event in events if event.chat_id == slow]
    assert [event.telegram_message_id for event in slow_events] == [
        photo["message_id"],
        follow_up["message_id"],
    ]
    photo_built = to_datetime(slow_events[0].occurred_at)
    for event in events:
        if event.chat_id in others:  # built while the photo's download was still delayed
            assert to_datetime(event.occurred_at) < photo_built - timedelta(seconds=2)
    assert to_datetime(slow_events[1].occurred_at) >= photo_built


async def test_a_failed_publish_is_answered_and_does_not_stop_other_chats(
    make_settings: Callable[..., BotSettings],
    registry: TopicRegistry,
    telegram: FakeTelegram,
    sandbox: httpx.AsyncClient,
    reader_of: Callable[[str], TopicReader],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    failing, healthy = FIRST_CHAT, FIRST_CHAT + 1
    async with build_bot(make_settings(bot_ingest_attempts=2), registry).running() as service:
        publish = service.producer.publish
        attempts = 0

        async def refuse_one_chat(event: Message) -> None:
            nonlocal attempts
            if isinstance(event, tickets_events.TicketCreated) and event.chat_id == failing:
                attempts += 1
                raise RuntimeError("broker unavailable")
            await publish(event)

        monkeypatch.setattr(service.producer, "publish", refuse_one_chat)
        await send(sandbox, failing, text="Не проходит платёж", language_code="ru")
        sent = await send(sandbox, healthy, text="Где моя карта?")
        [answer] = await wait_sent(telegram, failing, 1)
        assert answer.text == texts.NOT_ACCEPTED["ru"]
        [event] = created(await tickets_reader(reader_of, registry).take(1))
        assert (event.chat_id, event.telegram_message_id) == (healthy, sent["message_id"])
        assert attempts == 2


async def test_stopping_finishes_the_updates_already_taken_from_telegram(
    make_settings: Callable[..., BotSettings],
    registry: TopicRegistry,
    telegram: FakeTelegram,
    sandbox: httpx.AsyncClient,
    reader_of: Callable[[str], TopicReader],
) -> None:
    chat_id = FIRST_CHAT
    await sandbox.post("/sandbox/faults", json={"method": "getFile", "kind": "delay", "delay_s": 2})
    async with build_bot(make_settings(), registry).running():
        sent = [await send(sandbox, chat_id, kind="photo", files=photo_upload(2))]
        sent += [await send(sandbox, chat_id, text=f"Ещё {n}") for n in range(3)]
        sent += [await send(sandbox, chat_id + n, text="Здравствуйте") for n in range(1, 6)]
        # taken, and confirmed to Telegram by the next getUpdates: from now on only the bot has them
        await telegram.state.wait_for(lambda: True if not telegram.state.pending else None)
        stopping = datetime.now(UTC)
    assert not telegram.state.pending
    events = created(await tickets_reader(reader_of, registry).take(len(sent)))
    published = {(event.chat_id, event.telegram_message_id): event for event in events}
    assert sorted(published) == sorted((s["chat_id"], s["message_id"]) for s in sent)
    photo = published[(chat_id, sent[0]["message_id"])]
    assert to_datetime(photo.occurred_at) > stopping  # finished after the stop began
    in_chat = [event.telegram_message_id for event in events if event.chat_id == chat_id]
    assert in_chat == [s["message_id"] for s in sent[:4]]


async def test_polling_waits_while_the_bot_holds_as_many_updates_as_it_may(
    make_settings: Callable[..., BotSettings],
    registry: TopicRegistry,
    telegram: FakeTelegram,
    sandbox: httpx.AsyncClient,
    reader_of: Callable[[str], TopicReader],
) -> None:
    chat_id = FIRST_CHAT
    await sandbox.post("/sandbox/faults", json={"method": "getFile", "kind": "delay", "delay_s": 2})
    async with build_bot(make_settings(bot_max_pending_updates=3), registry).running():
        sent = [await send(sandbox, chat_id, kind="photo", files=photo_upload(3))]
        sent += [await send(sandbox, chat_id, text=f"Ещё {n}") for n in range(10)]
        await asyncio.sleep(1)  # the photo's download is still delayed: the bot holds 3, Telegram the rest
        assert len(telegram.state.pending) >= len(sent) - 3
        events = created(await tickets_reader(reader_of, registry).take(len(sent)))
        assert [event.telegram_message_id for event in events] == [s["message_id"] for s in sent]
        await telegram.state.wait_for(lambda: True if not telegram.state.pending else None)
