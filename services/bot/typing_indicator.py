"""«Печатает…» in Telegram while an operator types: operator_typing → sendChatAction(typing).

Telegram shows the action for about 5 s (or until the bot's next message), so one call per chat every
~4 s keeps it on while the operator types, and an event older than ~5 s would show it after the fact:
dropped. Best effort: one try, a short deadline, errors only logged. The handler never raises, so an
event is never retried or dead-lettered, and it runs in a consumer group of its own, apart from
operator_replies: a slow or failing Telegram here never holds up a reply. Throttled in memory: events
are keyed by ticket, so a ticket's (and its chat's) events reach one bot instance."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from prometheus_client import Counter
from telegram import Bot
from telegram.constants import ChatAction

from t1.tickets.v1 import events_pb2 as tickets_events
from t1lib.kafka.consumer import EventContext

logger = logging.getLogger(__name__)

TYPING = Counter("t1_bot_typing_total", "Operator typing events handled by the bot, by outcome", ["outcome"])
# Chats remembered before those outside the window are forgotten.
_REMEMBERED = 10_000


class ChatThrottle:
    """Admits at most one call per chat per `window_s`."""

    def __init__(self, window_s: float, clock: Callable[[], float] = time.monotonic) -> None:
        self._window_s = window_s
        self._clock = clock
        self._last: dict[int, float] = {}

    def admit(self, chat_id: int) -> bool:
        now = self._clock()
        last = self._last.get(chat_id)
        if last is not None and now - last < self._window_s:
            return False
        if len(self._last) >= _REMEMBERED:
            self._last = {chat: at for chat, at in self._last.items() if now - at < self._window_s}
        self._last[chat_id] = now
        return True


class TypingRelay:
    def __init__(
        self,
        bot: Bot,
        *,
        window_s: float = 4.0,
        max_age_s: float = 5.0,
        timeout_s: float = 3.0,
        clock: Callable[[], float] = time.monotonic,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self._bot = bot
        self._throttle = ChatThrottle(window_s, clock)
        self._max_age_s = max_age_s
        self._timeout_s = timeout_s
        self._wall_clock = wall_clock

    async def handle(self, event: tickets_events.OperatorTyping, _context: EventContext) -> None:
        """The operator_typing handler: never raises."""
        occurred_at = event.occurred_at.seconds + event.occurred_at.nanos / 1e9
        if self._wall_clock() - occurred_at > self._max_age_s:
            TYPING.labels("stale").inc()
            return
        if not event.chat_id or not self._throttle.admit(event.chat_id):
            TYPING.labels("throttled").inc()
            return
        timeout = self._timeout_s
        try:
            await asyncio.wait_for(
                self._bot.send_chat_action(
                    chat_id=event.chat_id,
                    action=ChatAction.TYPING,
                    read_timeout=timeout,
                    write_timeout=timeout,
                    connect_timeout=timeout,
                    pool_timeout=timeout,
                ),
                timeout,
            )
        except Exception as error:  # best effort: never retried, never dead-lettered
            TYPING.labels("failed").inc()
            logger.info(
                "sendChatAction failed: %s: %s",
                type(error).__name__,
                error,
                extra={"fields": {"ticket_id": event.ticket_id, "chat_id": event.chat_id}},
            )
            return
        TYPING.labels("sent").inc()
