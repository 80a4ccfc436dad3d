"""What each operator receives of a notification: pure functions, no I/O."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel

from t1.notifications.v1 import events_pb2
from t1.tickets.v1 import ticket_pb2
from t1lib.auth import Principal
from t1lib.events import to_datetime
from t1lib.views import MessagePublic, TicketPublic, message_view, ticket_view


class NotificationPublic(BaseModel):
    """What a console receives for an event it may see (serialised once, by pydantic-core, per event)."""

    type: str
    event_id: str
    ticket_id: str
    occurred_at: datetime
    ticket: TicketPublic
    message: MessagePublic | None


class HiddenPublic(BaseModel):
    """What a console receives when a ticket leaves its view: no detail of the ticket."""

    type: str = "ticket.hidden"
    event_id: str
    ticket_id: str


def may_see(principal: Principal, ticket: ticket_pb2.Ticket) -> bool:
    if principal.is_admin or ticket.status == ticket_pb2.TICKET_STATUS_OPEN:
        return True
    return bool(ticket.assignee_id) and ticket.assignee_id == principal.operator_id


def full_payload(event: events_pb2.WebsocketNotification) -> NotificationPublic:
    # Made from the event's typed fields (t1lib.views constructs the parts the same way): no validation.
    return NotificationPublic.model_construct(
        type=event.type,
        event_id=event.event_id,
        ticket_id=event.ticket_id,
        occurred_at=to_datetime(event.occurred_at),
        ticket=ticket_view(event.ticket),
        message=message_view(event.message) if event.HasField("message") else None,
    )


def payload_for(
    principal: Principal, event: events_pb2.WebsocketNotification, full: NotificationPublic
) -> NotificationPublic | HiddenPublic | None:
    """The event as `principal` may see it, or None when it is none of their business.

    An operator who can no longer see a ticket (someone else took it) gets `ticket.hidden`, so the ticket
    leaves their queue without revealing anything about it.
    """
    if may_see(principal, event.ticket):
        return full
    if event.type.startswith("ticket."):
        return HiddenPublic(event_id=event.event_id, ticket_id=event.ticket_id)
    return None
