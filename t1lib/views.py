"""The JSON shapes the console sees for tickets and messages, built from the proto messages.

Shared by the gateway (REST) and notifications (WebSocket) so both speak the same shapes.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from google.protobuf.timestamp_pb2 import Timestamp
from pydantic import BaseModel

from t1.tickets.v1 import ticket_pb2
from t1lib.events import to_datetime

STATUS_NAMES = {
    ticket_pb2.TICKET_STATUS_OPEN: "open",
    ticket_pb2.TICKET_STATUS_ASSIGNED: "assigned",
    ticket_pb2.TICKET_STATUS_CLOSED: "closed",
}
STATUS_VALUES = {name: value for value, name in STATUS_NAMES.items()}
PRIORITY_NAMES = {
    ticket_pb2.TICKET_PRIORITY_UNSPECIFIED: "normal",
    ticket_pb2.TICKET_PRIORITY_LOW: "low",
    ticket_pb2.TICKET_PRIORITY_NORMAL: "normal",
    ticket_pb2.TICKET_PRIORITY_HIGH: "high",
    ticket_pb2.TICKET_PRIORITY_URGENT: "urgent",
}
PRIORITY_VALUES = {
    "low": ticket_pb2.TICKET_PRIORITY_LOW,
    "normal": ticket_pb2.TICKET_PRIORITY_NORMAL,
    "high": ticket_pb2.TICKET_PRIORITY_HIGH,
    "urgent": ticket_pb2.TICKET_PRIORITY_URGENT,
}
DIRECTION_NAMES = {
    ticket_pb2.MESSAGE_DIRECTION_CUSTOMER: "customer",
    ticket_pb2.MESSAGE_DIRECTION_OPERATOR: "operator",
    ticket_pb2.MESSAGE_DIRECTION_SYSTEM: "system",
}
# How far an operator's message got to the customer (None for the others).
DELIVERY_NAMES = {
    ticket_pb2.DELIVERY_STATUS_SENDING: "sending",
    ticket_pb2.DELIVERY_STATUS_SENT: "sent",
    ticket_pb2.DELIVERY_STATUS_FAILED: "failed",
}
KIND_NAMES = {
    ticket_pb2.ATTACHMENT_KIND_PHOTO: "photo",
    ticket_pb2.ATTACHMENT_KIND_DOCUMENT: "document",
    ticket_pb2.ATTACHMENT_KIND_VOICE: "voice",
    ticket_pb2.ATTACHMENT_KIND_AUDIO: "audio",
    ticket_pb2.ATTACHMENT_KIND_VIDEO: "video",
}

# The URL a stored attachment is opened by (the gateway's short-lived file links).
FileLinker = Callable[[ticket_pb2.Attachment], str]


class CustomerPublic(BaseModel):
    telegram_id: int
    chat_id: int
    name: str
    username: str
    language_code: str


class TicketPublic(BaseModel):
    id: str
    title: str
    status: str
    customer: CustomerPublic
    assignee: str | None
    created_at: datetime | None
    updated_at: datetime | None
    last_message_at: datetime | None
    last_message_preview: str
    tags: list[str]
    priority: str
    category: str
    subcategory: str
    closed_at: datetime | None
    # Since when the customer waits for an answer (their first message after the last reply); null when
    # answered or closed.
    waiting_since: datetime | None = None
    # When the customer last wrote; null before (and on tickets stored before it was tracked).
    last_customer_message_at: datetime | None = None


class AttachmentPublic(BaseModel):
    id: str
    kind: str
    url: str | None
    mime_type: str
    file_name: str
    size: int
    ocr_text: str


class MessagePublic(BaseModel):
    id: str
    ticket_id: str
    direction: str
    text: str
    attachments: list[AttachmentPublic]
    edited: bool
    internal: bool
    operator_id: str | None
    created_at: datetime | None
    edited_at: datetime | None
    # Operator messages: "sending", "sent" or "failed" (then delivery_error says why); None otherwise.
    delivery_status: str | None = None
    delivery_error: str | None = None
    # Operator messages: the id the console chose when sending (it replaces its pending copy by it).
    client_message_id: str | None = None
    # Admins only: the trace that stored the message (open it at `trace_ui_url`/trace/<id>).
    trace_id: str | None = None


def _time(message: ticket_pb2.Ticket | ticket_pb2.Message, field: str) -> datetime | None:
    if not message.HasField(field):
        return None
    stamp: Timestamp = getattr(message, field)
    return to_datetime(stamp)


# The views below are made from typed protos field by field, so they are constructed without validation
# (`model_construct`): validating what the mapping guarantees cost most of a WebSocket event's CPU.


def ticket_view(ticket: ticket_pb2.Ticket) -> TicketPublic:
    customer = ticket.customer
    name = " ".join(part for part in (customer.first_name, customer.last_name) if part)
    return TicketPublic.model_construct(
        id=ticket.id,
        title=ticket.title,
        status=STATUS_NAMES.get(ticket.status, "open"),
        customer=CustomerPublic.model_construct(
            telegram_id=customer.telegram_user_id,
            chat_id=customer.chat_id,
            name=name,
            username=customer.username,
            language_code=customer.language_code,
        ),
        assignee=ticket.assignee_id or None,
        created_at=_time(ticket, "created_at"),
        updated_at=_time(ticket, "updated_at"),
        last_message_at=_time(ticket, "last_message_at"),
        last_message_preview=ticket.last_message_preview,
        tags=list(ticket.tags),
        priority=PRIORITY_NAMES.get(ticket.priority, "normal"),
        category=ticket.category,
        subcategory=ticket.subcategory,
        closed_at=_time(ticket, "closed_at"),
        waiting_since=_time(ticket, "waiting_since"),
        last_customer_message_at=_time(ticket, "last_customer_message_at"),
    )


def message_view(
    message: ticket_pb2.Message, link: FileLinker | None = None, *, with_trace: bool = False
) -> MessagePublic:
    return MessagePublic.model_construct(
        id=message.id,
        ticket_id=message.ticket_id,
        direction=DIRECTION_NAMES.get(message.direction, "system"),
        text=message.text,
        attachments=[
            AttachmentPublic.model_construct(
                id=attachment.id,
                kind=KIND_NAMES.get(attachment.kind, "document"),
                url=link(attachment) if link and attachment.s3_key else None,
                mime_type=attachment.mime_type,
                file_name=attachment.file_name,
                size=attachment.size,
                ocr_text=attachment.ocr_text,
            )
            for attachment in message.attachments
        ],
        edited=message.edited,
        internal=message.internal,
        operator_id=message.operator_id or None,
        created_at=_time(message, "created_at"),
        edited_at=_time(message, "edited_at"),
        delivery_status=DELIVERY_NAMES.get(message.delivery_status),
        delivery_error=message.delivery_error or None,
        client_message_id=message.client_message_id or None,
        trace_id=(message.trace_id or None) if with_trace else None,
    )
