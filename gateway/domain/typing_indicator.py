"""«Печатает…»: the console says an operator is typing; the gateway publishes OperatorTyping for the bot.

Best effort all the way: the event is handed to the producer without waiting for the broker, a lost one
is only logged, and a ticket gets at most one event per `min_interval_s` from this gateway however often
its consoles call (the bot throttles per chat again, to Telegram's pace)."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable

from t1.tickets.v1 import events_pb2 as tickets_events
from t1lib.events import new_event
from t1lib.kafka.producer import Acks, EventProducer

logger = logging.getLogger(__name__)

# Tickets remembered before the stale ones are forgotten (a few hundred operators type at once at most).
_REMEMBERED = 10_000


class TypingPublisher:
    def __init__(
        self,
        producer: EventProducer,
        *,
        min_interval_s: float = 2.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._producer = producer
        self._min_interval_s = min_interval_s
        self._clock = clock
        self._last: dict[str, float] = {}
        self._settling: set[asyncio.Task[None]] = set()

    async def publish(self, ticket_id: str, chat_id: int, operator_id: str) -> bool:
        """Publish that `operator_id` types in the ticket, unless this gateway did for it a moment ago.
        True when an event went to the producer."""
        now = self._clock()
        last = self._last.get(ticket_id)
        if last is not None and now - last < self._min_interval_s:
            return False
        if len(self._last) >= _REMEMBERED:
            self._last = {key: at for key, at in self._last.items() if now - at < self._min_interval_s}
        self._last[ticket_id] = now
        event = new_event(
            tickets_events.OperatorTyping, ticket_id=ticket_id, chat_id=chat_id, operator_id=operator_id
        )
        try:
            acks = await self._producer.hand_over([event])
        except Exception as error:  # a producer in trouble costs «печатает…», never the request
            logger.warning("a typing event of ticket %s was not published: %s", ticket_id, error)
            return False
        task = asyncio.create_task(_settle(acks, ticket_id))
        self._settling.add(task)
        task.add_done_callback(self._settling.discard)
        return True

    def close(self, timeout_s: float = 2.0) -> None:
        """Deliver what is queued for at most `timeout_s`: a typing event older than that is useless."""
        self._producer.close(timeout_s)


async def _settle(acks: Acks, ticket_id: str) -> None:
    try:
        await acks.wait()
    except Exception as error:  # best effort: the customer just does not see «печатает…» this time
        logger.info("a typing event of ticket %s was not delivered: %s", ticket_id, error)
