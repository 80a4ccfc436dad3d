"""What the index holds for a ticket or a message, derived from protos (events carry them, and the stored
documents convert to them), and a batch of events folded into the last state of each ticket."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from google.protobuf.timestamp_pb2 import Timestamp

from services.message_saver.convert import STATUS_FROM_PROTO
from services.message_saver.search.schema import MessageEntry, TicketEntry, Visibility
from t1.notifications.v1 import events_pb2 as notifications
from t1.tickets.v1 import ticket_pb2 as pb


def millis(value: Timestamp) -> int:
    return value.seconds * 1000 + value.nanos // 1_000_000


def visibility(ticket: pb.Ticket) -> Visibility:
    status = STATUS_FROM_PROTO.get(ticket.status)
    return Visibility(str(status) if status is not None else "", ticket.assignee_id)


def customer_text(customer: pb.Customer) -> str:
    """Names, @username and the Telegram ids as words, so a digits-only query finds the customer."""
    parts = [customer.first_name, customer.last_name]
    if customer.username:
        parts.append("@" + customer.username)
    ids = dict.fromkeys(number for number in (customer.telegram_user_id, customer.chat_id) if number)
    parts.extend(str(number) for number in ids)
    return " ".join(part for part in parts if part)


def ticket_entry(ticket: pb.Ticket) -> TicketEntry:
    last_activity = max(millis(ticket.last_message_at), millis(ticket.updated_at), millis(ticket.created_at))
    return TicketEntry(
        ticket_id=ticket.id,
        visibility=visibility(ticket),
        title=ticket.title,
        customer=customer_text(ticket.customer),
        tags=", ".join(ticket.tags),
        moment_ms=last_activity,
        updated_ms=millis(ticket.updated_at),
        snapshot=ticket.SerializeToString(deterministic=True),
    )


def message_entry(message: pb.Message, ticket_id: str, seen_as: Visibility) -> MessageEntry:
    ocr = "\n".join(item.ocr_text.strip() for item in message.attachments if item.ocr_text.strip())
    return MessageEntry(
        message_id=message.id,
        ticket_id=ticket_id,
        visibility=seen_as,
        text=message.text,
        ocr=ocr,
        internal=message.internal,
        moment_ms=millis(message.created_at),
    )


@dataclass
class TicketChanges:
    """One ticket's share of a batch: its newest snapshot and the last version of each message."""

    ticket: pb.Ticket
    messages: dict[str, pb.Message] = field(default_factory=dict)


def fold(events: Iterable[notifications.WebsocketNotification]) -> dict[str, TicketChanges]:
    """Events in their order (per ticket, the order Kafka keeps) -> the state each ticket ends in.
    A snapshot older than the one already seen (by updated_at) does not replace it."""
    changes: dict[str, TicketChanges] = {}
    for event in events:
        if not event.HasField("ticket") or not event.ticket.id:
            continue
        ticket = event.ticket
        found = changes.get(ticket.id)
        if found is None:
            found = changes[ticket.id] = TicketChanges(ticket)
        elif millis(ticket.updated_at) >= millis(found.ticket.updated_at):
            found.ticket = ticket
        if event.HasField("message") and event.message.id:
            found.messages[event.message.id] = event.message
    return changes
