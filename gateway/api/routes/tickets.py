"""Tickets for the console: list, read, take, assign, reply, close, annotate, edit."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC
from typing import Annotated, Literal

import grpc
from fastapi import APIRouter, HTTPException, Query, Request, status
from pydantic import ValidationError
from starlette.datastructures import FormData, UploadFile

from gateway.api.deps import AdminOperator, ContextDep, CurrentOperator
from gateway.context import AppContext
from gateway.core.errors import body_validation_error
from gateway.domain.access import may_act, may_see, may_see_traces
from gateway.domain.hints import hints_messages
from gateway.models import (
    HintPublic,
    HintsPublic,
    MessageCreate,
    MessageForm,
    MessagesPage,
    NoteCreate,
    RatingPublic,
    ReplyDraftCreate,
    ReplyDraftPublic,
    ReplySourceName,
    TicketAssign,
    TicketCountsPublic,
    TicketDetailPublic,
    TicketsPage,
    TicketUpdate,
)
from t1.ml.v1 import hints_service_pb2 as ml
from t1.stats.v1 import stats_service_pb2 as stats_pb
from t1.tickets.v1 import ticket_pb2
from t1.tickets.v1 import ticket_service_pb2 as pb
from t1lib.auth import Principal
from t1lib.views import PRIORITY_VALUES, STATUS_VALUES, MessagePublic, TicketPublic, message_view, ticket_view

logger = logging.getLogger(__name__)

router = APIRouter(prefix="/tickets", tags=["tickets"])
# The route that takes files, included with a body limit of its own (the file's, not a JSON body's).
uploads = APIRouter(prefix="/tickets", tags=["tickets"])

StatusName = Literal["open", "assigned", "closed"]
OrderName = Literal["activity", "waiting"]
ORDERS = {"activity": pb.TICKET_ORDER_UNSPECIFIED, "waiting": pb.TICKET_ORDER_WAITING_LONGEST}
# Customer messages read for hints: the latest (hints.MAX_CONVERSATION_MESSAGES at most are sent) and
# the oldest few, for the opening request (the first with text).
RECENT_CUSTOMER_MESSAGES = 10
OPENING_CUSTOMER_MESSAGES = 3


async def fetch_ticket(context: AppContext, ticket_id: str) -> ticket_pb2.Ticket:
    response = await context.tickets.GetTicket(pb.GetTicketRequest(ticket_id=ticket_id))
    return response.ticket


async def visible_ticket(context: AppContext, operator: Principal, ticket_id: str) -> ticket_pb2.Ticket:
    ticket = await fetch_ticket(context, ticket_id)
    if not may_see(operator, ticket):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this ticket belongs to another operator")
    return ticket


async def actionable_ticket(context: AppContext, operator: Principal, ticket_id: str) -> ticket_pb2.Ticket:
    """The ticket, taken by the operator first when it is still in the queue."""
    ticket = await fetch_ticket(context, ticket_id)
    if not may_act(operator, ticket):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this ticket belongs to another operator")
    if ticket.status == ticket_pb2.TICKET_STATUS_OPEN and not operator.is_admin:
        taken = await context.tickets.TakeTicket(
            pb.TakeTicketRequest(ticket_id=ticket_id, operator_id=operator.operator_id)
        )
        ticket = taken.ticket
    return ticket


@router.get("")
async def list_tickets(
    operator: CurrentOperator,
    context: ContextDep,
    status_filter: Annotated[StatusName | None, Query(alias="status")] = None,
    assignee: Annotated[str | None, Query(description='operator id, or "me"')] = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    category: Annotated[str | None, Query(max_length=200)] = None,
    order: Annotated[
        OrderName,
        Query(
            description="activity: newest last message first; waiting: the customers waiting for an answer "
            "first, longest waiting first, then the others by activity (not together with q: 400)"
        ),
    ] = "activity",
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
) -> TicketsPage:
    """A page of tickets; a cursor works only with the order it came from (400 otherwise)."""
    if assignee == "me":
        assignee = operator.operator_id
    request = pb.ListTicketsRequest(
        status=STATUS_VALUES[status_filter] if status_filter else ticket_pb2.TICKET_STATUS_UNSPECIFIED,
        assignee_id=assignee or "",
        query=q or "",
        category=category or "",
        page_token=cursor or "",
        page_size=limit,
        order=ORDERS[order],
    )
    if not operator.is_admin:
        if assignee and assignee != operator.operator_id:
            raise HTTPException(
                status.HTTP_403_FORBIDDEN, "operators see only the queue and their own tickets"
            )
        request.visible_to_operator_id = operator.operator_id
    response = await context.tickets.ListTickets(request)
    closed = [ticket.id for ticket in response.tickets if ticket.status == ticket_pb2.TICKET_STATUS_CLOSED]
    ratings = await ticket_ratings(context, closed)
    unread = await context.read_markers.unread(operator.operator_id, response.tickets)
    return TicketsPage(
        items=[
            TicketDetailPublic(
                **ticket_view(ticket).model_dump(), rating=ratings.get(ticket.id), unread=ticket.id in unread
            )
            for ticket in response.tickets
        ],
        next_cursor=response.next_page_token or None,
    )


@router.get("/counts")
async def count_tickets(operator: CurrentOperator, context: ContextDep) -> TicketCountsPublic:
    """How many tickets the caller's lists hold (the console's tab counters); every ticket not closed
    too for admins. Counted in message_saver's read model, flat with the store's size."""
    response = await context.tickets.CountTickets(
        pb.CountTicketsRequest(operator_id=operator.operator_id, include_all=operator.is_admin)
    )
    return TicketCountsPublic(
        queue=response.queue,
        queue_waiting=response.queue_waiting,
        mine=response.mine,
        mine_waiting=response.mine_waiting,
        all_active=response.all_active if operator.is_admin else None,
    )


@router.get("/{ticket_id}")
async def get_ticket(ticket_id: str, operator: CurrentOperator, context: ContextDep) -> TicketDetailPublic:
    """The ticket, with the customer's rating when there is one (stats owns it; without stats in time the
    ticket comes without it)."""
    found = await visible_ticket(context, operator, ticket_id)
    unread = await context.read_markers.unread(operator.operator_id, [found])
    return TicketDetailPublic(
        **ticket_view(found).model_dump(),
        rating=await ticket_rating(context, ticket_id),
        unread=ticket_id in unread,
    )


@router.post("/{ticket_id}/read", status_code=status.HTTP_204_NO_CONTENT)
async def mark_read(ticket_id: str, operator: CurrentOperator, context: ContextDep) -> None:
    """The operator has read the ticket up to the customer's last message (their read marker moves there;
    it never moves back)."""
    ticket = await visible_ticket(context, operator, ticket_id)
    await context.read_markers.mark_read(operator.operator_id, ticket)


async def ticket_rating(context: AppContext, ticket_id: str) -> RatingPublic | None:
    return (await ticket_ratings(context, [ticket_id])).get(ticket_id)


async def ticket_ratings(context: AppContext, ticket_ids: list[str]) -> dict[str, RatingPublic]:
    """The customers' ratings of these tickets (stats owns them); without stats in time, none."""
    if not ticket_ids:
        return {}
    try:
        response = await context.stats.ListTicketRatings(
            stats_pb.ListTicketRatingsRequest(ticket_ids=ticket_ids),
            timeout=context.settings.rating_timeout_s,
        )
    except grpc.aio.AioRpcError as error:
        # stats not running (UNAVAILABLE) is a deployment choice, not worth a warning per ticket shown
        log = logger.debug if error.code() == grpc.StatusCode.UNAVAILABLE else logger.warning
        log("%d tickets shown without their ratings: stats answered %s", len(ticket_ids), error.code())
        return {}
    return {
        item.ticket_id: RatingPublic(
            score=item.rating.score,
            comment=item.rating.comment,
            rated_at=item.rating.rated_at.ToDatetime(tzinfo=UTC),
        )
        for item in response.ratings
    }


@router.get("/{ticket_id}/messages")
async def list_messages(
    ticket_id: str,
    operator: CurrentOperator,
    context: ContextDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> MessagesPage:
    await visible_ticket(context, operator, ticket_id)
    response = await context.tickets.ListMessages(
        pb.ListMessagesRequest(
            ticket_id=ticket_id, page_token=cursor or "", page_size=limit, include_internal=True
        )
    )
    link = context.attachments.link
    return MessagesPage(
        items=[
            message_view(message, link, with_trace=may_see_traces(operator)) for message in response.messages
        ],
        next_cursor=response.next_page_token or None,
    )


async def recent_messages(context: AppContext, ticket_id: str) -> list[ticket_pb2.Message]:
    """The customer's latest messages, oldest first: read newest first and only the customer's, so
    hints see what the customer said last however long the history and whatever operators wrote since."""
    response = await context.tickets.ListMessages(
        pb.ListMessagesRequest(
            ticket_id=ticket_id,
            page_size=RECENT_CUSTOMER_MESSAGES,
            newest_first=True,
            direction=ticket_pb2.MESSAGE_DIRECTION_CUSTOMER,
        )
    )
    return list(response.messages)


async def opening_messages(context: AppContext, ticket_id: str) -> list[ticket_pb2.Message]:
    """The customer's first messages: where the opening request is."""
    response = await context.tickets.ListMessages(
        pb.ListMessagesRequest(
            ticket_id=ticket_id,
            page_size=OPENING_CUSTOMER_MESSAGES,
            direction=ticket_pb2.MESSAGE_DIRECTION_CUSTOMER,
        )
    )
    return list(response.messages)


@router.get("/{ticket_id}/hints")
async def ticket_hints(
    ticket_id: str,
    operator: CurrentOperator,
    context: ContextDep,
    limit: Annotated[int, Query(ge=1, le=10)] = 3,
    category: Annotated[str | None, Query(max_length=200)] = None,
) -> HintsPublic:
    """Knowledge-base answers for what the customer needs: ml derives the conversation's intent from the
    opening request and the latest customer messages (text and photos' OCR text), chit-chat aside.
    `intent` (also in `query`) is the text searched: while it stays the same, so do the hints."""
    await visible_ticket(context, operator, ticket_id)
    opening, recent = await asyncio.gather(
        opening_messages(context, ticket_id), recent_messages(context, ticket_id)
    )
    messages = hints_messages(opening, recent)
    if not messages:
        return HintsPublic(items=[], query="", intent="", no_good_hint=False)
    response = await context.hints.GetHints(
        ml.GetHintsRequest(messages=messages, limit=limit, category=category or "")
    )
    return HintsPublic(
        items=[hint_view(hint) for hint in response.hints],
        query=response.intent,
        intent=response.intent,
        no_good_hint=response.no_good_hint,
    )


REPLY_SOURCES: dict[int, ReplySourceName] = {ml.REPLY_SOURCE_LLM: "llm", ml.REPLY_SOURCE_TEMPLATE: "template"}


@router.post("/{ticket_id}/reply-draft")
async def draft_reply(
    ticket_id: str, body: ReplyDraftCreate, operator: CurrentOperator, context: ContextDep
) -> ReplyDraftPublic:
    """A ready reply to what the customer asked (the conversation's intent, as for the hints): written by
    the LLM from the best hints when one is configured, else (or when it fails) from the best hint's
    template answer. The operator edits and sends it."""
    ticket = await visible_ticket(context, operator, ticket_id)
    opening, recent = await asyncio.gather(
        opening_messages(context, ticket_id), recent_messages(context, ticket_id)
    )
    # The conversation, one message a line: ml searches its intent, as for the hints.
    query = "\n".join(hints_messages(opening, recent))
    if not query:
        return ReplyDraftPublic(text="", source="none", model="", fallback_reason="", hints=[], query="")
    response = await context.hints.ComposeReply(
        ml.ComposeReplyRequest(
            query=query,
            hints_limit=body.hints,
            category=body.category or "",
            language=body.language or "",
            customer_name=ticket.customer.first_name,
        ),
        timeout=context.settings.reply_draft_timeout_s,
    )
    return ReplyDraftPublic(
        text=response.text,
        source=REPLY_SOURCES.get(response.source, "none"),
        model=response.model,
        fallback_reason=response.fallback_reason,
        hints=[hint_view(hint) for hint in response.hints],
        query=query,
    )


def hint_view(hint: ml.Hint) -> HintPublic:
    return HintPublic(
        entry_id=hint.entry_id,
        answer=hint.answer,
        question=hint.question,
        category=hint.category,
        subcategory=hint.subcategory,
        score=hint.score,
        probability=hint.probability,
    )


@router.post("/{ticket_id}/take")
async def take_ticket(ticket_id: str, operator: CurrentOperator, context: ContextDep) -> TicketPublic:
    """Take a ticket from the queue. One that someone else took first (even a moment ago, while this
    operator's queue still showed it) or that is closed is a 409 saying so, whatever the timing."""
    await fetch_ticket(context, ticket_id)
    response = await context.tickets.TakeTicket(
        pb.TakeTicketRequest(ticket_id=ticket_id, operator_id=operator.operator_id)
    )
    return ticket_view(response.ticket)


@router.post("/{ticket_id}/assign")
async def assign_ticket(
    ticket_id: str, body: TicketAssign, admin: AdminOperator, context: ContextDep
) -> TicketPublic:
    assignee = await context.operators.get(body.operator_id)
    if not assignee.get("active", True):
        raise HTTPException(status.HTTP_409_CONFLICT, "operator is deactivated")
    response = await context.tickets.AssignTicket(
        pb.AssignTicketRequest(
            ticket_id=ticket_id, operator_id=body.operator_id, assigned_by=admin.operator_id
        )
    )
    return ticket_view(response.ticket)


async def read_message_form(request: Request, max_bytes: int) -> tuple[str, str | None, UploadFile | None]:
    """(text, client_message_id, file) from a JSON body or a multipart form with `file` and `text`."""
    media_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if media_type == "multipart/form-data":
        form: FormData = await request.form(max_files=1, max_fields=10)
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            raise HTTPException(
                status.HTTP_400_BAD_REQUEST, "multipart body needs a `file` field with a file"
            )
        if upload.size is not None and upload.size > max_bytes:
            raise HTTPException(
                status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, f"file is larger than {max_bytes} bytes"
            )
        try:
            fields = MessageForm.model_validate(
                {
                    "text": form.get("text") or "",
                    "client_message_id": form.get("client_message_id"),
                    "file_name": upload.filename,
                }
            )
        except ValidationError as error:
            raise body_validation_error(error) from None
        return fields.text, fields.client_message_id, upload
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
            'send JSON {"text": "..."} as application/json, or a file as multipart/form-data',
        )
    try:
        body = MessageCreate.model_validate_json(await request.body())
    except ValidationError as error:
        raise body_validation_error(error) from None
    return body.text, body.client_message_id, None


@uploads.post(
    "/{ticket_id}/messages",
    status_code=status.HTTP_201_CREATED,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": MessageCreate.model_json_schema()},
                "multipart/form-data": {
                    "schema": {
                        "type": "object",
                        "required": ["file"],
                        "properties": {
                            "file": {"type": "string", "format": "binary"},
                            "text": {"type": "string", "description": "caption"},
                            "client_message_id": {"type": "string"},
                        },
                    }
                },
            },
        }
    },
)
async def send_message(
    ticket_id: str, request: Request, operator: CurrentOperator, context: ContextDep
) -> MessagePublic:
    """Reply to the customer: JSON `{text}`, or multipart with `file` and an optional `text` caption.
    message_saver stores it and publishes it for the bot from its own write (delivery_status `sending`,
    then `sent` or `failed`)."""
    max_bytes = context.settings.max_upload_bytes
    text, client_message_id, upload = await read_message_form(request, max_bytes)
    ticket = await actionable_ticket(context, operator, ticket_id)
    if ticket.status == ticket_pb2.TICKET_STATUS_CLOSED:
        raise HTTPException(status.HTTP_409_CONFLICT, "ticket is closed")
    attachments = []
    if upload is not None:
        data = await upload.read(max_bytes + 1)
        if len(data) > max_bytes:
            raise HTTPException(
                status.HTTP_413_REQUEST_ENTITY_TOO_LARGE, f"file is larger than {max_bytes} bytes"
            )
        mime_type = upload.content_type or "application/octet-stream"
        attachments.append(await context.attachments.upload(ticket_id, upload.filename, mime_type, data))
    stored = await context.tickets.AddOperatorMessage(
        pb.AddOperatorMessageRequest(
            ticket_id=ticket_id,
            operator_id=operator.operator_id,
            text=text,
            attachments=attachments,
            client_message_id=client_message_id or "",
        )
    )
    return message_view(stored.message, context.attachments.link, with_trace=may_see_traces(operator))


@router.post("/{ticket_id}/messages/{message_id}/retry")
async def retry_message(
    ticket_id: str, message_id: str, operator: CurrentOperator, context: ContextDep
) -> MessagePublic:
    """Send again a reply whose delivery failed (the customer blocked the bot, Telegram refused it): it
    becomes `sending`. 409 for any other message, a delivery not failed or a closed ticket."""
    ticket = await fetch_ticket(context, ticket_id)
    if not may_act(operator, ticket):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this ticket belongs to another operator")
    response = await context.tickets.RetryDelivery(
        pb.RetryDeliveryRequest(ticket_id=ticket_id, message_id=message_id, operator_id=operator.operator_id)
    )
    return message_view(response.message, context.attachments.link)


@router.post("/{ticket_id}/close")
async def close_ticket(ticket_id: str, operator: CurrentOperator, context: ContextDep) -> TicketPublic:
    """Close the ticket; the customer is told in Telegram (message_saver publishes that from its own
    write). A ticket still in the queue is taken first."""
    await actionable_ticket(context, operator, ticket_id)
    response = await context.tickets.CloseTicket(
        pb.CloseTicketRequest(ticket_id=ticket_id, operator_id=operator.operator_id)
    )
    return ticket_view(response.ticket)


@router.post("/{ticket_id}/notes", status_code=status.HTTP_201_CREATED)
async def add_note(
    ticket_id: str, body: NoteCreate, operator: CurrentOperator, context: ContextDep
) -> MessagePublic:
    """An internal note: other operators see it, the customer never does."""
    ticket = await fetch_ticket(context, ticket_id)
    if not may_act(operator, ticket):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this ticket belongs to another operator")
    response = await context.tickets.AddNote(
        pb.AddNoteRequest(ticket_id=ticket_id, operator_id=operator.operator_id, text=body.text)
    )
    return message_view(response.message)


@router.patch("/{ticket_id}")
async def update_ticket(
    ticket_id: str, body: TicketUpdate, operator: CurrentOperator, context: ContextDep
) -> TicketPublic:
    ticket = await fetch_ticket(context, ticket_id)
    if not may_act(operator, ticket):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this ticket belongs to another operator")
    changes = body.model_dump(exclude_unset=True)
    if not changes:
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "nothing to change")
    request = pb.UpdateTicketRequest(
        ticket_id=ticket_id, operator_id=operator.operator_id, update_paths=list(changes)
    )
    if body.tags is not None:
        request.tags.extend(tag.strip() for tag in body.tags if tag.strip())
    if body.priority is not None:
        request.priority = PRIORITY_VALUES[body.priority]
    request.category = body.category or ""
    request.subcategory = body.subcategory or ""
    response = await context.tickets.UpdateTicket(request)
    return ticket_view(response.ticket)
