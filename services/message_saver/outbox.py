"""The outbox of operator_replies: what message_saver still has to publish for the bot, kept in MongoDB
so that a crash between storing a reply (or a close) and Kafka's acknowledgement loses nothing.

There are no multi-document transactions (FerretDB v1), so the entry is written *before* the write it
announces, and deleted once Kafka acknowledged the event. `reply_outbox` holds only what is in flight
(a handful of documents): the relay reads it whole, and every other access names the `_id` alone (the
event id), the one filter FerretDB does not answer by scanning.

    reply_outbox: _id = event id, ticket_id, message_id (replies) or closed_at (closes), event (the
                  serialized OperatorReply), created_at

The relay publishes an entry only once the write it announces is in the store (the message exists, the
ticket closed at that time): an entry whose write never happened is dropped after `abandon_after_s`.
Publishing twice is harmless: the bot delivers each event id once."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from services.message_saver import domain
from services.message_saver.publisher import Publisher
from services.message_saver.repository import Repository
from t1.tickets.v1 import events_pb2 as tickets_events

logger = logging.getLogger(__name__)

OUTBOX = "reply_outbox"
ABANDON_AFTER_S = 600.0


class ReplyOutbox:
    def __init__(
        self, repository: Repository, publisher: Publisher, *, abandon_after_s: float = ABANDON_AFTER_S
    ) -> None:
        self._repo = repository
        self._publisher = publisher
        self._pending = repository.messages.database[OUTBOX]
        self._abandon_after = timedelta(seconds=abandon_after_s)

    async def add(self, event: tickets_events.OperatorReply, *, closed_at: datetime | None = None) -> None:
        """Remember `event` as to be published (before the write it announces)."""
        entry = {
            "_id": event.event_id,
            "ticket_id": event.ticket_id,
            "message_id": event.message_id,
            "closed_at": closed_at,
            "event": event.SerializeToString(),
            "created_at": domain.utcnow(),
        }
        await self._pending.replace_one({"_id": event.event_id}, entry, upsert=True)

    async def send(self, event: tickets_events.OperatorReply) -> None:
        """Publish `event`; once Kafka acknowledged it, it is no longer pending."""
        await self._publisher.publish_all([event])
        await self.discard(event.event_id)

    async def flush(self, event_id: str) -> bool:
        """Publish the entry `event_id` if it is still pending (a repeated call after a crash)."""
        entry = await self._pending.find_one({"_id": event_id})
        if entry is None:
            return False
        await self.send(_event_of(entry))
        return True

    async def discard(self, event_id: str) -> None:
        await self._pending.delete_one({"_id": event_id})

    async def is_pending(self, event_id: str) -> bool:
        return await self._pending.find_one({"_id": event_id}) is not None

    async def relay(self, *, min_age_s: float) -> int:
        """Publish what is pending for at least `min_age_s` and whose write is stored; how many."""
        now = domain.utcnow()
        due = now - timedelta(seconds=min_age_s)
        entries = [entry async for entry in self._pending.find({})]  # only what is in flight
        ready: list[tickets_events.OperatorReply] = []
        for entry in entries:
            if entry["created_at"] > due:
                continue
            if await self._written(entry):
                ready.append(_event_of(entry))
            elif entry["created_at"] < now - self._abandon_after:
                logger.warning(
                    "outbox entry dropped: what it announces was never stored",
                    extra={"fields": {"event_id": entry["_id"], "ticket_id": entry.get("ticket_id")}},
                )
                await self.discard(str(entry["_id"]))
        if not ready:
            return 0
        await self._publisher.publish_all(ready)
        for event in ready:
            await self.discard(event.event_id)
        logger.info("outbox relayed operator_replies", extra={"fields": {"events": len(ready)}})
        return len(ready)

    async def _written(self, entry: Mapping[str, Any]) -> bool:
        if entry.get("message_id"):
            return await self._repo.get_message(str(entry["message_id"])) is not None
        ticket = await self._repo.get_ticket(str(entry["ticket_id"]))
        return (
            ticket is not None
            and ticket.get("status") == domain.Status.CLOSED
            and ticket.get("closed_at") == entry.get("closed_at")
        )


def _event_of(entry: Mapping[str, Any]) -> tickets_events.OperatorReply:
    return tickets_events.OperatorReply.FromString(bytes(entry["event"]))
