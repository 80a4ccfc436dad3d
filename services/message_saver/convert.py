"""Stored documents <-> protos. Enums are stored as lowercase names ("open", "photo"), times as UTC dates."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp

from services.message_saver import domain, timeline
from t1.tickets.v1 import ticket_pb2 as pb
from t1lib.errors import InvalidArgumentError
from t1lib.events import timestamp, to_datetime

Doc = dict[str, Any]

STATUS_TO_PROTO = {
    domain.Status.OPEN: pb.TICKET_STATUS_OPEN,
    domain.Status.ASSIGNED: pb.TICKET_STATUS_ASSIGNED,
    domain.Status.CLOSED: pb.TICKET_STATUS_CLOSED,
}
STATUS_FROM_PROTO = {value: key for key, value in STATUS_TO_PROTO.items()}
DIRECTION_TO_PROTO = {
    domain.Direction.CUSTOMER: pb.MESSAGE_DIRECTION_CUSTOMER,
    domain.Direction.OPERATOR: pb.MESSAGE_DIRECTION_OPERATOR,
    domain.Direction.SYSTEM: pb.MESSAGE_DIRECTION_SYSTEM,
}
DIRECTION_FROM_PROTO = {value: key for key, value in DIRECTION_TO_PROTO.items()}
PRIORITY_TO_PROTO = {
    "unspecified": pb.TICKET_PRIORITY_UNSPECIFIED,
    "low": pb.TICKET_PRIORITY_LOW,
    "normal": pb.TICKET_PRIORITY_NORMAL,
    "high": pb.TICKET_PRIORITY_HIGH,
    "urgent": pb.TICKET_PRIORITY_URGENT,
}
PRIORITY_FROM_PROTO = {value: key for key, value in PRIORITY_TO_PROTO.items()}
KIND_TO_PROTO = {
    "unspecified": pb.ATTACHMENT_KIND_UNSPECIFIED,
    "photo": pb.ATTACHMENT_KIND_PHOTO,
    "document": pb.ATTACHMENT_KIND_DOCUMENT,
    "voice": pb.ATTACHMENT_KIND_VOICE,
    "audio": pb.ATTACHMENT_KIND_AUDIO,
    "video": pb.ATTACHMENT_KIND_VIDEO,
}
KIND_FROM_PROTO = {value: key for key, value in KIND_TO_PROTO.items()}
# Stored as an operator message's `delivery_status` (services/message_saver/delivery.py).
DELIVERY_TO_PROTO = {
    "sending": pb.DELIVERY_STATUS_SENDING,
    "sent": pb.DELIVERY_STATUS_SENT,
    "failed": pb.DELIVERY_STATUS_FAILED,
}
DELIVERY_FROM_PROTO = {value: key for key, value in DELIVERY_TO_PROTO.items()}
NOT_TRACKED = pb.DELIVERY_STATUS_UNSPECIFIED
EVENT_KIND_TO_PROTO = {
    timeline.Kind.OPENED: pb.TICKET_EVENT_KIND_OPENED,
    timeline.Kind.TAKEN: pb.TICKET_EVENT_KIND_TAKEN,
    timeline.Kind.ASSIGNED: pb.TICKET_EVENT_KIND_ASSIGNED,
    timeline.Kind.REPLIED: pb.TICKET_EVENT_KIND_REPLIED,
    timeline.Kind.CLOSED: pb.TICKET_EVENT_KIND_CLOSED,
}


def stamp(moment: datetime | None) -> Timestamp | None:
    return None if moment is None else timestamp(moment)


def millis(value: Timestamp) -> int:
    """A proto time in whole milliseconds since the epoch (stored times have no finer part)."""
    return int(value.seconds) * 1000 + int(value.nanos) // 1_000_000


def moment(value: Timestamp, default: datetime) -> datetime:
    """A proto time as a stored date; `default` when it is unset."""
    if value.seconds == 0 and value.nanos == 0:
        return default
    return domain.truncate_to_millis(to_datetime(value))


def priority_name(priority: int) -> str:
    try:
        return PRIORITY_FROM_PROTO[priority]  # type: ignore[index]
    except KeyError:
        raise InvalidArgumentError(f"неизвестный priority: {priority}") from None


# --- into documents --------------------------------------------------------------------------------


def customer_doc(customer: pb.Customer, chat_id: int) -> Doc:
    return {
        "telegram_user_id": customer.telegram_user_id,
        "chat_id": customer.chat_id or chat_id,
        "first_name": customer.first_name,
        "last_name": customer.last_name,
        "username": customer.username,
        "language_code": customer.language_code,
    }


def attachment_docs(attachments: Iterable[pb.Attachment], message_id: str) -> list[Doc]:
    return [
        {
            "id": item.id or domain.attachment_id(message_id, index),
            "kind": KIND_FROM_PROTO.get(item.kind, "unspecified"),
            "mime_type": item.mime_type,
            "file_name": item.file_name,
            "size": item.size,
            "s3_key": item.s3_key,
            "telegram_file_id": item.telegram_file_id,
            "ocr_text": item.ocr_text,
        }
        for index, item in enumerate(attachments)
    ]


def attachment_kinds(doc: Mapping[str, Any]) -> list[str]:
    return [str(item.get("kind", "unspecified")) for item in doc.get("attachments", [])]


# --- into protos -----------------------------------------------------------------------------------


def customer_proto(doc: Mapping[str, Any]) -> pb.Customer:
    return pb.Customer(
        telegram_user_id=int(doc.get("telegram_user_id", 0)),
        chat_id=int(doc.get("chat_id", 0)),
        first_name=str(doc.get("first_name", "")),
        last_name=str(doc.get("last_name", "")),
        username=str(doc.get("username", "")),
        language_code=str(doc.get("language_code", "")),
    )


def attachment_proto(doc: Mapping[str, Any]) -> pb.Attachment:
    return pb.Attachment(
        id=str(doc.get("id", "")),
        kind=KIND_TO_PROTO.get(str(doc.get("kind")), pb.ATTACHMENT_KIND_UNSPECIFIED),
        mime_type=str(doc.get("mime_type", "")),
        file_name=str(doc.get("file_name", "")),
        size=int(doc.get("size", 0)),
        s3_key=str(doc.get("s3_key", "")),
        telegram_file_id=str(doc.get("telegram_file_id", "")),
        ocr_text=str(doc.get("ocr_text", "")),
    )


def ticket_proto(doc: Mapping[str, Any]) -> pb.Ticket:
    return pb.Ticket(
        id=str(doc["_id"]),
        title=str(doc.get("title", "")),
        status=STATUS_TO_PROTO.get(domain.Status(doc["status"]), pb.TICKET_STATUS_UNSPECIFIED),
        customer=customer_proto(doc.get("customer") or {}),
        assignee_id=str(doc.get("assignee_id") or ""),
        created_at=stamp(doc.get("created_at")),
        updated_at=stamp(doc.get("updated_at")),
        last_message_at=stamp(doc.get("last_message_at")),
        last_message_preview=str(doc.get("last_message_preview", "")),
        tags=[str(tag) for tag in doc.get("tags", [])],
        priority=PRIORITY_TO_PROTO.get(str(doc.get("priority")), pb.TICKET_PRIORITY_UNSPECIFIED),
        category=str(doc.get("category", "")),
        subcategory=str(doc.get("subcategory", "")),
        closed_at=stamp(doc.get("closed_at")),
        message_count=index_length(doc),
        waiting_since=stamp(domain.waiting_since(doc)),
        last_customer_message_at=stamp(doc.get(domain.LAST_CUSTOMER_MESSAGE_AT)),
    )


def index_length(ticket: Mapping[str, Any]) -> int:
    """How many messages the ticket's index holds, as far as this document knows: `entry_count` where
    the single writer keeps a log (services.message_saver.ticket_log), else its `message_ids`."""
    return int(ticket.get("entry_count", len(ticket.get("message_ids") or [])))


def message_proto(doc: Mapping[str, Any]) -> pb.Message:
    return pb.Message(
        id=str(doc["_id"]),
        ticket_id=str(doc.get("ticket_id", "")),
        direction=DIRECTION_TO_PROTO[domain.Direction(doc["direction"])],
        text=str(doc.get("text", "")),
        attachments=[attachment_proto(item) for item in doc.get("attachments", [])],
        edited=bool(doc.get("edited", False)),
        created_at=stamp(doc.get("created_at")),
        edited_at=stamp(doc.get("edited_at")),
        operator_id=str(doc.get("operator_id", "")),
        telegram_message_id=int(doc.get("telegram_message_id", 0)),
        internal=bool(doc.get("internal", False)),
        delivery_status=DELIVERY_TO_PROTO.get(str(doc.get("delivery_status")), NOT_TRACKED),
        delivery_error=str(doc.get("delivery_error") or ""),
        delivery_attempt=int(doc.get("delivery_attempt") or 0),
        client_message_id=str(doc.get("client_message_id") or ""),
        trace_id=str(doc.get("trace_id") or ""),
    )


def ticket_event_proto(event: timeline.TicketEvent) -> pb.TicketEvent:
    return pb.TicketEvent(
        kind=EVENT_KIND_TO_PROTO[event.kind],
        at=stamp(event.at),
        actor_operator_id=event.actor_id,
        target_operator_id=event.target_id,
        count=event.count,
        last_at=stamp(event.last_at) if event.kind == timeline.Kind.REPLIED else None,
    )
