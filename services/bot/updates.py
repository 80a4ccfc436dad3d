"""How updates flow from Telegram to the handlers: concurrently across chats, in order within a chat, and
no more taken from Telegram than the bot can hold.

Updates of one chat run one after another in the order Telegram delivered them (the bot publishes a chat's
messages in that order); updates of different chats, and updates without a chat, run concurrently, at most
`concurrency` handlers at a time."""

from __future__ import annotations

import asyncio
import inspect
from collections.abc import Awaitable
from contextlib import AbstractContextManager
from typing import Any

from opentelemetry.trace import Span, SpanKind
from telegram import Update
from telegram.ext import BaseUpdateProcessor

from services.bot.incoming import IncomingMessage
from t1lib.telemetry import tracer

# PTB's own semaphore (taken before do_process_update) must never make an update wait: waiters there are
# woken in an order we do not control, and an update waiting for its chat would hold a slot. So its bound
# is out of reach and `concurrency` is enforced only around running handlers.
_UNBOUNDED = 2**31 - 1


class ChatOrderedProcessor(BaseUpdateProcessor):
    """Application.create_task starts one task per update in queue order, and each reaches
    do_process_update without suspending, so a chat's queue of updates is built in delivery order."""

    __slots__ = ("_concurrency", "_idle", "_in_flight", "_running", "_tails")

    def __init__(self, concurrency: int) -> None:
        if concurrency < 1:
            raise ValueError("concurrency must be a positive integer")
        super().__init__(_UNBOUNDED)
        self._concurrency = concurrency
        self._running = asyncio.Semaphore(concurrency)
        # chat id -> the future its latest update resolves when done; the next update of the chat waits on it
        self._tails: dict[int, asyncio.Future[None]] = {}
        self._in_flight = 0
        self._idle = asyncio.Event()
        self._idle.set()

    @property
    def concurrency(self) -> int:
        return self._concurrency

    @property
    def waiting_chats(self) -> int:
        """Chats with an update running or waiting (a snapshot)."""
        return len(self._tails)

    async def wait_idle(self) -> None:
        """Until no update is running or waiting for its chat."""
        await self._idle.wait()

    async def do_process_update(self, update: object, coroutine: Awaitable[Any]) -> None:
        self._in_flight += 1
        self._idle.clear()
        try:
            with _update_span(update):
                await self._process_in_order(update, coroutine)
        finally:
            self._in_flight -= 1
            if self._in_flight == 0:
                self._idle.set()

    async def _process_in_order(self, update: object, coroutine: Awaitable[Any]) -> None:
        chat_id = _chat_of(update)
        if chat_id is None:
            async with self._running:
                await coroutine
            return
        previous = self._tails.get(chat_id)
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._tails[chat_id] = done
        started = False
        try:
            if previous is not None:
                # shielded: a cancelled waiter must not cancel its predecessor's future
                await asyncio.shield(previous)
            async with self._running:
                started = True
                await coroutine
        finally:
            if not started and inspect.iscoroutine(coroutine):
                coroutine.close()  # cancelled before its turn
            if previous is None or previous.done():
                self._finish(chat_id, done)
            else:  # cancelled while waiting: the chat's next update still waits for the running one
                previous.add_done_callback(lambda _: self._finish(chat_id, done))

    def _finish(self, chat_id: int, done: asyncio.Future[None]) -> None:
        done.set_result(None)
        if self._tails.get(chat_id) is done:
            del self._tails[chat_id]

    async def initialize(self) -> None:
        """Nothing to set up."""

    async def shutdown(self) -> None:
        """Nothing to release: Application.stop() has already waited for every update it took."""


def _update_span(update: object) -> AbstractContextManager[Span]:
    """The root of a customer message's trace: from the update taken from Telegram to everything after."""
    attributes: dict[str, int] = {}
    chat_id = _chat_of(update)
    if chat_id is not None:
        attributes["telegram.chat.id"] = chat_id
    if isinstance(update, IncomingMessage):
        attributes["telegram.message.id"] = update.message_id
    elif isinstance(update, Update):
        attributes["telegram.update.id"] = update.update_id
    return tracer(__name__).start_as_current_span(
        "telegram update", kind=SpanKind.CONSUMER, attributes=attributes
    )


def _chat_of(update: object) -> int | None:
    if isinstance(update, IncomingMessage):
        return update.chat_id
    chat = update.effective_chat if isinstance(update, Update) else None
    return None if chat is None else chat.id


class BoundedUpdateQueue(asyncio.Queue[object]):
    """PTB's update queue with backpressure: put() waits while `limit` updates are taken and unfinished
    (queued or being handled: PTB calls task_done when an update's handling ends). Polling then stops
    fetching, so Telegram keeps what the bot cannot take yet, and what a crash can lose of the updates
    already confirmed to Telegram stays bounded."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("limit must be a positive integer")
        super().__init__()
        self._limit = limit
        self._taken = 0
        self._room = asyncio.Event()
        self._room.set()

    @property
    def taken(self) -> int:
        return self._taken

    async def put(self, item: object) -> None:
        while self._taken >= self._limit:
            self._room.clear()
            await self._room.wait()
        self.put_nowait(item)

    def put_nowait(self, item: object) -> None:
        super().put_nowait(item)
        self._taken += 1

    def task_done(self) -> None:
        super().task_done()
        self._taken -= 1
        if self._taken < self._limit:
            self._room.set()
