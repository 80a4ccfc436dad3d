"""operator_replies events message_saver derives from its own writes: an operator's message and a
ticket's close. Event ids derive from what they announce (the message id, the ticket's closing time), so
publishing again after a crash or a retried call gives the same id and the bot delivers it once."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from services.message_saver import convert
from t1.tickets.v1 import events_pb2 as tickets_events
from t1lib.events import timestamp

# The namespace the gateway used while it published these events: the ids stay the same.
_NAMESPACE = uuid.UUID("5d1f8a0e-3f5c-4f43-9d59-6f0c2c8a7b21")


def reply_event_id(message_id: str) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"reply:{message_id}"))


def closed_event_id(ticket_id: str, closed_at: datetime) -> str:
    return str(uuid.uuid5(_NAMESPACE, f"closed:{ticket_id}:{timestamp(closed_at).ToJsonString()}"))


def reply_event(ticket: Mapping[str, Any], message: Mapping[str, Any]) -> tickets_events.OperatorReply:
    """The operator's `message` (as stored) for the customer of `ticket`."""
    customer = ticket.get("customer") or {}
    message_id = str(message["_id"])
    return tickets_events.OperatorReply(
        event_id=reply_event_id(message_id),
        occurred_at=timestamp(),
        ticket_id=str(ticket["_id"]),
        chat_id=int(customer.get("chat_id") or ticket.get("chat_id") or 0),
        message_id=message_id,
        operator_id=str(message.get("operator_id", "")),
        text=str(message.get("text", "")),
        attachments=[convert.attachment_proto(item) for item in message.get("attachments", [])],
        kind=tickets_events.OPERATOR_REPLY_KIND_MESSAGE,
        language_code=str(customer.get("language_code", "")),
        delivery_attempt=int(message.get("delivery_attempt") or 1),
    )


def closed_event(
    ticket: Mapping[str, Any], operator_id: str, closed_at: datetime
) -> tickets_events.OperatorReply:
    """The customer is told that `ticket` closed at `closed_at` (and asked for a rating)."""
    customer = ticket.get("customer") or {}
    ticket_id = str(ticket["_id"])
    return tickets_events.OperatorReply(
        event_id=closed_event_id(ticket_id, closed_at),
        occurred_at=timestamp(),
        ticket_id=ticket_id,
        chat_id=int(customer.get("chat_id") or ticket.get("chat_id") or 0),
        operator_id=operator_id,
        kind=tickets_events.OPERATOR_REPLY_KIND_TICKET_CLOSED,
        language_code=str(customer.get("language_code", "")),
    )
