"""Delivery status of operators' messages. A reply is stored `sending` (attempt 1); the bot reports
`sent` or `failed` (delivery_outcomes); a retry of a failed one makes it `sending` again with the next
attempt. Outcomes may come twice, late or out of order, so one replaces the stored status only when it
is newer (`supersedes`), and a change is shown to operators as message.updated."""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from services.message_saver import convert, domain
from services.message_saver.convert import Doc
from services.message_saver.publisher import Publisher
from services.message_saver.repository import Repository
from t1.tickets.v1 import events_pb2 as tickets_events
from t1lib.errors import PermanentEventError

logger = logging.getLogger(__name__)

SENDING, SENT, FAILED = "sending", "sent", "failed"
REASON_LIMIT = 500


@dataclass(frozen=True)
class Delivery:
    status: str
    attempt: int
    error: str = ""

    @classmethod
    def of(cls, message: Mapping[str, Any]) -> Delivery:
        """The message's delivery as stored; an operator message stored before delivery was tracked is
        taken for attempt 1 on its way."""
        return cls(
            str(message.get("delivery_status") or SENDING),
            int(message.get("delivery_attempt") or 1),
            str(message.get("delivery_error") or ""),
        )

    def fields(self) -> Doc:
        return {
            "delivery_status": self.status,
            "delivery_attempt": self.attempt,
            "delivery_error": self.error,
        }


def supersedes(new: Delivery, current: Delivery) -> bool:
    """Whether `new` replaces `current`: `sent` is final (the customer has the message); otherwise a
    later attempt wins, and within one attempt its outcome wins over `sending`."""
    if current.status == SENT:
        return False
    if new.status == SENT:
        return True
    if new.attempt != current.attempt:
        return new.attempt > current.attempt
    return new.status == FAILED and current.status == SENDING


def stored_condition(message: Mapping[str, Any]) -> Doc:
    """The message still has the delivery it was read with (None also matches a missing field)."""
    return {
        "delivery_status": message.get("delivery_status"),
        "delivery_attempt": message.get("delivery_attempt"),
    }


def notification_source(message_id: str, delivery: Delivery) -> str:
    return f"{message_id}:delivery:{delivery.attempt}:{delivery.status}"


class DeliveryTracker:
    """The delivery_outcomes handler: keeps the outcome on the message, tells the console."""

    def __init__(self, repository: Repository, publisher: Publisher) -> None:
        self._repo = repository
        self._publisher = publisher

    async def outcome(self, event: tickets_events.DeliveryOutcome) -> None:
        status = convert.DELIVERY_FROM_PROTO.get(event.status)
        if status not in (SENT, FAILED) or not event.message_id:
            raise PermanentEventError(f"DeliveryOutcome needs a message id and SENT or FAILED: {event}")
        reason = "" if status == SENT else (event.reason.strip() or "unknown")[:REASON_LIMIT]
        new = Delivery(status, max(1, event.delivery_attempt), reason)
        while True:
            message = await self._repo.get_message(event.message_id)
            if message is None or message.get("direction") != domain.Direction.OPERATOR:
                raise PermanentEventError(f"no operator message {event.message_id} to deliver")
            current = Delivery.of(message)
            if current == new:
                break  # handled before: tell the console again (the same event id) in case that was lost
            if not supersedes(new, current):
                logger.info(
                    "stale delivery outcome ignored",
                    extra={"fields": {"message_id": event.message_id, "outcome": status}},
                )
                return
            stored = Delivery(new.status, max(new.attempt, current.attempt), new.error)
            fields = {**stored.fields(), "delivery_at": domain.utcnow()}
            updated = await self._repo.update_message(event.message_id, fields, stored_condition(message))
            if updated is not None:
                message = updated
                break
        await self.show(message)

    async def show(self, message: Doc) -> None:
        """message.updated with the message's delivery as it is now (the same event id for the same
        delivery state, so showing it again is a duplicate the console drops)."""
        ticket = await self._repo.get_ticket(str(message["ticket_id"]))
        if ticket is None:  # pragma: no cover - a message is stored only with its ticket
            return
        source = notification_source(str(message["_id"]), Delivery.of(message))
        await self._publisher.notify(domain.Notification.MESSAGE_UPDATED, source, ticket, message)
