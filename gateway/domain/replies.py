"""operator_replies events for the bot. Event ids derive from what they announce, so a retried request
publishes the same event id and the bot delivers it once."""

from __future__ import annotations

import uuid

from t1.tickets.v1 import events_pb2, ticket_pb2
from t1lib.events import timestamp

_NAMESPACE = uuid.UUID("5d1f8a0e-3f5c-4f43-9d59-6f0c2c8a7b21")


def reply_event(ticket: ticket_pb2.Ticket, message: ticket_pb2.Message) -> events_pb2.OperatorReply:
    return events_pb2.OperatorReply(
        event_id=str(uuid.uuid5(_NAMESPACE, f"reply:{message.id}")),
        occurred_at=timestamp(),
        ticket_id=ticket.id,
        chat_id=ticket.customer.chat_id,
        message_id=message.id,
        operator_id=message.operator_id,
        text=message.text,
        attachments=list(message.attachments),
        kind=events_pb2.OPERATOR_REPLY_KIND_MESSAGE,
        language_code=ticket.customer.language_code,
    )


def closed_event(ticket: ticket_pb2.Ticket, operator_id: str) -> events_pb2.OperatorReply:
    closed_at = ticket.closed_at.ToJsonString() if ticket.HasField("closed_at") else ""
    return events_pb2.OperatorReply(
        event_id=str(uuid.uuid5(_NAMESPACE, f"closed:{ticket.id}:{closed_at}")),
        occurred_at=timestamp(),
        ticket_id=ticket.id,
        chat_id=ticket.customer.chat_id,
        operator_id=operator_id,
        kind=events_pb2.OPERATOR_REPLY_KIND_TICKET_CLOSED,
        language_code=ticket.customer.language_code,
    )
