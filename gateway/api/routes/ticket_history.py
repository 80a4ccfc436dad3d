"""A ticket's past for the console: the customer's other tickets (read-only) and the ticket's timeline.

Whoever may see a ticket (`visible_ticket`, the one visibility rule) may read the customer's other tickets
through it, whoever holds those."""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, HTTPException, Query, status

from gateway.api.deps import ContextDep, CurrentOperator
from gateway.api.routes.tickets import fetch_ticket, ticket_rating, ticket_ratings, visible_ticket
from gateway.domain.access import may_see_traces
from gateway.models import (
    CustomerHistoryPublic,
    HistoryTicketPublic,
    MessagesPage,
    TimelineEventPublic,
    TimelineKindName,
    TimelinePublic,
)
from t1.tickets.v1 import ticket_pb2
from t1.tickets.v1 import ticket_service_pb2 as pb
from t1lib.events import to_datetime
from t1lib.views import STATUS_NAMES, message_view

router = APIRouter(prefix="/tickets", tags=["tickets"])

HISTORY_LIMIT = 20
EVENT_KINDS: dict[int, TimelineKindName] = {
    ticket_pb2.TICKET_EVENT_KIND_OPENED: "opened",
    ticket_pb2.TICKET_EVENT_KIND_TAKEN: "taken",
    ticket_pb2.TICKET_EVENT_KIND_ASSIGNED: "assigned",
    ticket_pb2.TICKET_EVENT_KIND_REPLIED: "replied",
    ticket_pb2.TICKET_EVENT_KIND_CLOSED: "closed",
}


@router.get("/{ticket_id}/history")
async def customer_history(
    ticket_id: str, operator: CurrentOperator, context: ContextDep
) -> CustomerHistoryPublic:
    """The same customer's other tickets (up to 20, latest activity first), with their ratings when stats
    answers in time (without them otherwise)."""
    ticket = await visible_ticket(context, operator, ticket_id)
    chat_id = ticket.customer.chat_id
    if not chat_id:
        return CustomerHistoryPublic(items=[], has_more=False)
    response = await context.tickets.ListTickets(
        pb.ListTicketsRequest(customer_chat_id=chat_id, page_size=HISTORY_LIMIT + 1)
    )
    others = [item for item in response.tickets if item.id != ticket_id]
    shown = others[:HISTORY_LIMIT]
    closed = [item.id for item in shown if item.status == ticket_pb2.TICKET_STATUS_CLOSED]
    ratings = await ticket_ratings(context, closed)
    return CustomerHistoryPublic(
        items=[
            HistoryTicketPublic(
                id=item.id,
                title=item.title,
                status=STATUS_NAMES.get(item.status, "open"),
                created_at=to_datetime(item.created_at) if item.HasField("created_at") else None,
                closed_at=to_datetime(item.closed_at) if item.HasField("closed_at") else None,
                category=item.category,
                rating=ratings.get(item.id),
            )
            for item in shown
        ],
        has_more=len(others) > HISTORY_LIMIT or bool(response.next_page_token),
    )


@router.get("/{ticket_id}/history/{earlier_id}/messages")
async def earlier_messages(
    ticket_id: str,
    earlier_id: str,
    operator: CurrentOperator,
    context: ContextDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 200,
) -> MessagesPage:
    """The messages (notes included) of another ticket of the same customer, read-only; 404 when it is
    not that customer's."""
    ticket = await visible_ticket(context, operator, ticket_id)
    earlier = await fetch_ticket(context, earlier_id)
    if not ticket.customer.chat_id or earlier.customer.chat_id != ticket.customer.chat_id:
        raise HTTPException(status.HTTP_404_NOT_FOUND, "no such ticket of this customer")
    response = await context.tickets.ListMessages(
        pb.ListMessagesRequest(
            ticket_id=earlier_id, page_token=cursor or "", page_size=limit, include_internal=True
        )
    )
    link = context.attachments.link
    return MessagesPage(
        items=[
            message_view(message, link, with_trace=may_see_traces(operator)) for message in response.messages
        ],
        next_cursor=response.next_page_token or None,
    )


@router.get("/{ticket_id}/timeline")
async def ticket_timeline(ticket_id: str, operator: CurrentOperator, context: ContextDep) -> TimelinePublic:
    """Who did what and when, oldest first: message_saver's events, and the customer's rating from stats
    (left out when stats does not answer in time)."""
    await visible_ticket(context, operator, ticket_id)
    response, rating = await asyncio.gather(
        context.tickets.ListTicketEvents(pb.ListTicketEventsRequest(ticket_id=ticket_id)),
        ticket_rating(context, ticket_id),
    )
    items = [
        TimelineEventPublic(
            kind=EVENT_KINDS[event.kind],
            at=to_datetime(event.at),
            actor=event.actor_operator_id or None,
            target=event.target_operator_id or None,
            count=max(event.count, 1),
            last_at=to_datetime(event.last_at) if event.HasField("last_at") else None,
        )
        for event in response.events
        if event.kind in EVENT_KINDS
    ]
    if rating is not None:
        items.append(
            TimelineEventPublic(
                kind="rated",
                at=rating.rated_at,
                actor=None,
                target=None,
                count=1,
                last_at=None,
                score=rating.score,
                comment=rating.comment,
            )
        )
    items.sort(key=lambda item: item.at)  # stable: the owner's order among equal times
    return TimelinePublic(items=items)
