"""Events and stored documents to the domain's types and back; protos stop here."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from services.stats.facts import MessageFact, Review, TicketFacts, TicketSnapshot
from t1.notifications.v1 import events_pb2 as notifications
from t1.stats.v1 import events_pb2 as stats_events
from t1.tickets.v1 import ticket_pb2 as tickets
from t1lib.events import to_datetime

Doc = dict[str, Any]


def _moment(stamp: Any) -> datetime | None:
    return to_datetime(stamp) if stamp.seconds or stamp.nanos else None


def snapshot_of(event: notifications.WebsocketNotification) -> TicketSnapshot | None:
    """The ticket as the notification shows it; None when it carries none."""
    if not event.HasField("ticket") or not event.ticket.id:
        return None
    ticket = event.ticket
    updated_at = _moment(ticket.updated_at) or to_datetime(event.occurred_at)
    return TicketSnapshot(
        ticket_id=ticket.id,
        updated_at=updated_at,
        event_id=event.event_id,
        created_at=_moment(ticket.created_at),
        closed_at=_moment(ticket.closed_at) if ticket.status == tickets.TICKET_STATUS_CLOSED else None,
        operator_id=ticket.assignee_id,
        category=ticket.category,
        message_count=ticket.message_count,
    )


def message_of(event: notifications.WebsocketNotification) -> MessageFact | None:
    """The customer's or operator's message the notification carries; None for anything else."""
    if not event.HasField("message") or not event.message.id:
        return None
    message = event.message
    if message.direction not in (tickets.MESSAGE_DIRECTION_CUSTOMER, tickets.MESSAGE_DIRECTION_OPERATOR):
        return None
    created_at = _moment(message.created_at) or to_datetime(event.occurred_at)
    return MessageFact(
        ticket_id=message.ticket_id or event.ticket_id,
        message_id=message.id,
        created_at=created_at,
        from_customer=message.direction == tickets.MESSAGE_DIRECTION_CUSTOMER,
        internal=message.internal,
    )


def review_of(event: stats_events.ReviewSubmitted) -> Review:
    return Review(
        ticket_id=event.ticket_id,
        event_id=event.event_id,
        operator_id=event.operator_id,
        score=event.rating,
        comment=event.comment,
        rated_at=_moment(event.rated_at) or to_datetime(event.occurred_at),
    )


def facts_doc(facts: TicketFacts) -> Doc:
    review = facts.review
    return {
        "_id": facts.ticket_id,
        "snapshot_at": facts.snapshot_at,
        "snapshot_event": facts.snapshot_event,
        "created_at": facts.created_at,
        "closed_at": facts.closed_at,
        "operator_id": facts.operator_id,
        "category": facts.category,
        "first_customer_at": facts.first_customer_at,
        "first_reply_at": facts.first_reply_at,
        "message_count": facts.message_count,
        "review": None
        if review is None
        else {
            "event_id": review.event_id,
            "operator_id": review.operator_id,
            "score": review.score,
            "comment": review.comment,
            "rated_at": review.rated_at,
        },
    }


def facts_of(doc: Doc) -> TicketFacts:
    raw_review = doc.get("review")
    ticket_id = str(doc["_id"])
    return TicketFacts(
        ticket_id=ticket_id,
        snapshot_at=doc.get("snapshot_at"),
        snapshot_event=str(doc.get("snapshot_event") or ""),
        created_at=doc.get("created_at"),
        closed_at=doc.get("closed_at"),
        operator_id=str(doc.get("operator_id") or ""),
        category=str(doc.get("category") or ""),
        first_customer_at=doc.get("first_customer_at"),
        first_reply_at=doc.get("first_reply_at"),
        message_count=int(doc.get("message_count") or 0),
        review=None
        if not raw_review
        else Review(
            ticket_id=ticket_id,
            event_id=str(raw_review["event_id"]),
            operator_id=str(raw_review.get("operator_id") or ""),
            score=int(raw_review["score"]),
            comment=str(raw_review.get("comment") or ""),
            rated_at=raw_review["rated_at"],
        ),
    )
