"""What each operator receives of a notification: pure functions, no I/O."""

from __future__ import annotations

from typing import Any

from t1.notifications.v1 import events_pb2
from t1.tickets.v1 import ticket_pb2
from t1lib.auth import Principal
from t1lib.events import to_datetime
from t1lib.views import message_view, ticket_view


def may_see(principal: Principal, ticket: ticket_pb2.Ticket) -> bool:
    if principal.is_admin or ticket.status == ticket_pb2.TICKET_STATUS_OPEN:
        return True
    return bool(ticket.assignee_id) and ticket.assignee_id == principal.operator_id


def full_payload(event: events_pb2.WebsocketNotification) -> dict[str, Any]:
    return {
        "type": event.type,
        "event_id": event.event_id,
        "ticket_id": event.ticket_id,
        "occurred_at": to_datetime(event.occurred_at).isoformat(),
        "ticket": ticket_view(event.ticket).model_dump(mode="json"),
        "message": message_view(event.message).model_dump(mode="json") if event.HasField("message") else None,
    }


def payload_for(
    principal: Principal, event: events_pb2.WebsocketNotification, full: dict[str, Any]
) -> dict[str, Any] | None:
    """The event as `principal` may see it, or None when it is none of their business.

    An operator who can no longer see a ticket (someone else took it) gets `ticket.hidden`, so the ticket
    leaves their queue without revealing anything about it.
    """
    if may_see(principal, event.ticket):
        return full
    if event.type.startswith("ticket."):
        return {"type": "ticket.hidden", "event_id": event.event_id, "ticket_id": event.ticket_id}
    return None
