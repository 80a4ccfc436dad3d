"""The update processor and queue on their own (no engines): order within a chat, concurrency across chats and
its bound, cancellation, and the queue's backpressure. Updates are started as python-telegram-bot starts them:
one task per update, in queue order, each calling process_update."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from datetime import UTC, datetime

import pytest
from telegram import Chat, Message, Update

from services.bot.updates import BoundedUpdateQueue, ChatOrderedProcessor


def update_in(chat_id: int, update_id: int) -> Update:
    chat = Chat(id=chat_id, type=Chat.PRIVATE)
    return Update(update_id, message=Message(update_id, datetime.now(UTC), chat))


class Recorder:
    def __init__(self) -> None:
        self.running = 0
        self.most_running = 0
        self.done: dict[int | None, list[int]] = defaultdict(list)
        self.busy_chats: set[int | None] = set()
        self.overlaps = 0

    async def handle(self, update: Update, pause_s: float) -> None:
        chat_id = update.effective_chat.id if update.effective_chat else None
        if chat_id in self.busy_chats:
            self.overlaps += 1
        self.busy_chats.add(chat_id)
        self.running += 1
        self.most_running = max(self.most_running, self.running)
        await asyncio.sleep(pause_s)
        self.running -= 1
        self.busy_chats.discard(chat_id)
        self.done[chat_id].append(update.update_id)


async def _nothing() -> None:
    return None


async def sentinel() -> None:
    """A task started after the others and awaited: asyncio runs ready tasks in order, so once it has run,
    every task created before it has run up to its first wait."""
    await asyncio.create_task(_nothing())


def start(
    processor: ChatOrderedProcessor, recorder: Recorder, update: Update, pause_s: float
) -> asyncio.Task[None]:
    return asyncio.create_task(processor.process_update(update, recorder.handle(update, pause_s)))


async def test_a_chats_updates_run_one_at_a_time_in_order_while_chats_overlap() -> None:
    processor, recorder, rng = ChatOrderedProcessor(8), Recorder(), random.Random(7)
    updates = [update_in(chat_id, n * 10 + chat_id) for n in range(20) for chat_id in range(1, 6)]
    await asyncio.gather(*(start(processor, recorder, update, rng.uniform(0, 0.004)) for update in updates))
    for chat_id in range(1, 6):
        assert recorder.done[chat_id] == [n * 10 + chat_id for n in range(20)]
    assert recorder.overlaps == 0
    assert recorder.most_running == 5  # every chat at once, within the bound
    assert processor.waiting_chats == 0


async def test_at_most_concurrency_handlers_run_at_once() -> None:
    processor, recorder = ChatOrderedProcessor(3), Recorder()
    await asyncio.gather(
        *(start(processor, recorder, update_in(chat_id, chat_id), 0.02) for chat_id in range(10))
    )
    assert recorder.most_running == 3
    assert set(recorder.done) == set(range(10))


async def test_updates_without_a_chat_run_freely() -> None:
    processor, recorder = ChatOrderedProcessor(4), Recorder()
    await asyncio.gather(*(start(processor, recorder, Update(n), 0.02) for n in range(4)))
    assert len(recorder.done[None]) == 4
    assert recorder.most_running == 4


async def test_a_cancelled_update_does_not_let_the_next_one_overtake_the_running_one() -> None:
    processor = ChatOrderedProcessor(8)
    release = asyncio.Event()
    events: list[str] = []

    async def first() -> None:
        events.append("first started")
        await release.wait()
        events.append("first done")

    async def second() -> None:
        events.append("second ran")

    async def third() -> None:
        events.append("third ran")

    tasks = [
        asyncio.create_task(processor.process_update(update_in(1, n), coroutine))
        for n, coroutine in enumerate((first(), second(), third()), start=1)
    ]
    await sentinel()  # every update has reached its wait by now
    assert events == ["first started"]
    tasks[1].cancel()
    await asyncio.gather(tasks[1], return_exceptions=True)
    await sentinel()  # the third update had its chance to overtake
    assert events == ["first started"]
    release.set()
    await tasks[0]
    await tasks[2]
    assert tasks[1].cancelled()
    assert events == ["first started", "first done", "third ran"]
    assert processor.waiting_chats == 0


async def test_the_queue_makes_put_wait_while_limit_updates_are_unfinished() -> None:
    queue = BoundedUpdateQueue(2)
    await queue.put("a")
    await queue.put("b")
    third = asyncio.create_task(queue.put("c"))
    await sentinel()
    assert not third.done()
    assert await queue.get() == "a"  # taken but not finished: still no room
    await sentinel()
    assert not third.done()
    queue.task_done()
    await asyncio.wait_for(third, 1)
    assert queue.taken == 2


def test_bounds_must_be_positive() -> None:
    with pytest.raises(ValueError, match="positive"):
        ChatOrderedProcessor(0)
    with pytest.raises(ValueError, match="positive"):
        BoundedUpdateQueue(0)
