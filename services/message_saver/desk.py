"""What operators do through TicketService (via the gateway, which has already authorized the call).

Each state change is one conditional single-document update (serialized per ticket, see repository),
so concurrent callers cannot both win. Every change publishes ticket.updated (or message.created) with an
event id derived from the ticket's version (or the message id). A repeated call that changes nothing
publishes again with the same id: if the first call stored but failed to publish, nothing is lost, and
consumers drop the duplicate.

Replies and closes also publish operator_replies for the bot, through the outbox (outbox.py): its entry
is written before the reply or the close, and a relay publishes whatever a crash left behind."""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from services.message_saver import convert, domain, replies, timeline
from services.message_saver.convert import Doc
from services.message_saver.delivery import FAILED, SENDING, Delivery, DeliveryTracker, stored_condition
from services.message_saver.outbox import ReplyOutbox
from services.message_saver.publisher import Publisher
from services.message_saver.repository import Repository
from services.message_saver.views import Counts, Position, ViewQuery
from t1.tickets.v1 import events_pb2 as tickets_events
from t1.tickets.v1 import ticket_pb2 as pb
from t1.tickets.v1 import ticket_service_pb2 as api
from t1lib.errors import ConflictError, InvalidArgumentError, NotFoundError, UnavailableError
from t1lib.tracing import recorded_trace_id

Status = domain.Status
NOT_CLOSED = {"status": {"$ne": str(Status.CLOSED)}}


class TicketDesk:
    def __init__(
        self,
        repository: Repository,
        publisher: Publisher,
        clock: domain.SequenceClock,
        outbox: ReplyOutbox | None = None,
    ) -> None:
        self._repo = repository
        self._publisher = publisher
        self._clock = clock
        self.outbox = outbox or ReplyOutbox(repository, publisher)
        self._deliveries = DeliveryTracker(repository, publisher)

    async def get(self, ticket_id: str) -> Doc:
        ticket = await self._repo.get_ticket(domain.require(ticket_id, "ticket_id"))
        if ticket is None:
            raise NotFoundError(f"тикет {ticket_id} не найден")
        return ticket

    async def list_tickets(self, request: api.ListTicketsRequest) -> tuple[list[pb.Ticket], str]:
        limit = domain.page_size(request.page_size, domain.TICKETS_PAGE)
        if request.order not in (api.TICKET_ORDER_UNSPECIFIED, api.TICKET_ORDER_WAITING_LONGEST):
            raise InvalidArgumentError(f"неизвестный order: {request.order}")
        if request.order == api.TICKET_ORDER_WAITING_LONGEST:
            return await self._list_waiting_first(request, limit)
        after = domain.decode_cursor(request.page_token) if request.page_token else None
        clauses = ticket_filter(request)
        views = self._repo.views
        if views is not None and not domain.normalize_query(request.query):
            position = None if after is None else Position(*after)
            tickets = [ticket for ticket, _at in await views.page(view_query(request), position, limit + 1)]
        else:  # a text query (the console searches through SearchTickets instead): a store scan
            found = await self._repo.list_tickets(clauses, after, limit + 1)
            tickets = [convert.ticket_proto(doc) for doc in found]
        page = tickets[:limit]
        more = len(tickets) > limit
        token = domain.encode_cursor(convert.millis(page[-1].last_message_at), page[-1].id) if more else ""
        return page, token

    async def _list_waiting_first(
        self, request: api.ListTicketsRequest, limit: int
    ) -> tuple[list[pb.Ticket], str]:
        """The waiting tickets longest waiting first, then the others newest activity first: from the
        read model only (the store would sort the whole collection)."""
        ticket_filter(request)  # the same validation as any list
        if domain.normalize_query(request.query):
            raise InvalidArgumentError("order WAITING_LONGEST не сочетается с query")
        views = self._repo.views
        if views is None:
            raise UnavailableError("списки по времени ожидания недоступны: нет представлений в Redis")
        after = None
        if request.page_token:
            waiting, millis, last_id = domain.decode_waiting_cursor(request.page_token)
            after = Position(millis, last_id, waiting)
        found = await views.page(view_query(request), after, limit + 1, waiting_first=True)
        page = found[:limit]
        token = ""
        if len(found) > limit:
            last = page[-1][1]
            token = domain.encode_waiting_cursor(last.waiting, last.millis, last.ticket_id)
        return [ticket for ticket, _at in page], token

    async def count_tickets(self, request: api.CountTicketsRequest) -> Counts:
        operator_id = domain.require(request.operator_id, "operator_id")
        views = self._repo.views
        if views is None:
            raise UnavailableError("счётчики недоступны: нет представлений в Redis")
        return await views.counts(operator_id, request.include_all)

    async def list_messages(self, request: api.ListMessagesRequest) -> tuple[list[Doc], str]:
        limit = domain.page_size(request.page_size, domain.MESSAGES_PAGE)
        after = domain.decode_cursor(request.page_token) if request.page_token else None
        ticket = await self.get(request.ticket_id)
        direction = None
        if request.direction != pb.MESSAGE_DIRECTION_UNSPECIFIED:
            if request.direction not in convert.DIRECTION_FROM_PROTO:
                raise InvalidArgumentError(f"неизвестный direction: {request.direction}")
            direction = str(convert.DIRECTION_FROM_PROTO[request.direction])
        page, cursor = await self._repo.list_messages(
            ticket["_id"],
            request.include_internal,
            after,
            limit,
            newest_first=request.newest_first,
            direction=direction,
        )
        return page, "" if cursor is None else domain.encode_cursor(*cursor)

    async def take(self, ticket_id: str, operator_id: str) -> Doc:
        ticket_id = domain.require(ticket_id, "ticket_id")
        operator_id = domain.require(operator_id, "operator_id")
        now = domain.utcnow()
        taken = await self._repo.update_ticket(
            ticket_id,
            {"status": str(Status.ASSIGNED), "assignee_id": operator_id},
            now,
            {"status": str(Status.OPEN)},
            event=timeline.taken(operator_id, now),
        )
        if taken is None:
            current = await self.get(ticket_id)
            domain.check_take(current["status"], str(current.get("assignee_id", "")), operator_id)
            taken = current  # already held by the caller
        await self._publisher.ticket_updated(taken)
        return taken

    async def assign(self, ticket_id: str, operator_id: str, assigned_by: str) -> Doc:
        ticket_id = domain.require(ticket_id, "ticket_id")
        operator_id = domain.require(operator_id, "operator_id")
        now = domain.utcnow()
        assigned = await self._repo.update_ticket(
            ticket_id,
            {"status": str(Status.ASSIGNED), "assignee_id": operator_id, "assigned_by": assigned_by},
            now,
            {
                "$or": [
                    {"status": str(Status.OPEN)},
                    {"status": str(Status.ASSIGNED), "assignee_id": {"$ne": operator_id}},
                ]
            },
            event=timeline.assigned(assigned_by, operator_id, now),
        )
        if assigned is None:
            current = await self.get(ticket_id)
            domain.check_not_closed(current["status"], "назначение")
            assigned = current  # already assigned to this operator
        await self._publisher.ticket_updated(assigned)
        return assigned

    async def close(self, ticket_id: str, operator_id: str) -> Doc:
        """Close the ticket; the customer is told (operator_replies, kind TICKET_CLOSED, through the
        outbox: its entry names the closing time this call is about to write)."""
        ticket_id = domain.require(ticket_id, "ticket_id")
        now = domain.utcnow()
        current = await self.get(ticket_id)
        closing = None
        if current["status"] != Status.CLOSED:
            closing = replies.closed_event(current, operator_id, now)
            await self.outbox.add(closing, closed_at=now)
        closed = await self._repo.update_ticket(
            ticket_id,
            {
                "status": str(Status.CLOSED),
                "closed_at": now,
                "closed_by": operator_id,
                domain.WAITING_SINCE: None,
            },
            now,
            NOT_CLOSED,
            event=timeline.closed(operator_id, now),
        )
        if closed is None and closing is not None:  # closed by someone else meanwhile, at another time
            await self.outbox.discard(closing.event_id)
        ticket = closed or await self.get(ticket_id)
        # Also after a repeated close: a crash may have left the entry behind the first time.
        await self._repo.release_active(int(ticket["chat_id"]), ticket["_id"])
        await self._publisher.ticket_updated(ticket)
        closer = str(ticket.get("closed_by") or operator_id)
        await self.outbox.send(replies.closed_event(ticket, closer, ticket["closed_at"]))
        return ticket

    async def add_operator_message(self, request: api.AddOperatorMessageRequest) -> Doc:
        """Store the reply and publish it: message.created for the console, operator_replies for the bot
        (what a crash leaves unpublished, the outbox's relay publishes)."""
        message, ticket, reply = await self.store_operator_message(request)
        # Same event ids on a retry, so a crash between storing and publishing loses nothing.
        message_id = str(message["_id"])
        created = Publisher.notification(domain.Notification.MESSAGE_CREATED, message_id, ticket, message)
        if reply is None:  # stored by an earlier call: publish what it may have left pending
            await self._publisher.publish_all([created])
            await self.outbox.flush(replies.reply_event_id(message_id))
        else:
            await self._publisher.publish_all([created, reply])
            await self.outbox.discard(reply.event_id)
        return message

    async def store_operator_message(
        self, request: api.AddOperatorMessageRequest
    ) -> tuple[Doc, Doc, tickets_events.OperatorReply | None]:
        """The reply stored (its outbox entry first) and shown as the ticket's last message; nothing
        published yet. Returns the message, the ticket and the reply's event when this call stored it."""
        ticket_id = domain.require(request.ticket_id, "ticket_id")
        operator_id = domain.require(request.operator_id, "operator_id")
        domain.validate_operator_text(request.text, len(request.attachments))
        message_id = domain.operator_message_id(ticket_id, request.client_message_id.strip())
        message = await self._repo.get_message(message_id)
        reply = None
        if message is None:
            ticket = await self.get(ticket_id)
            domain.check_not_closed(ticket["status"], "ответ")
            message = self._message_doc(
                message_id, ticket, domain.Direction.OPERATOR, operator_id, request.text
            )
            message["attachments"] = convert.attachment_docs(request.attachments, message_id)
            message["client_message_id"] = request.client_message_id.strip()
            message.update(Delivery(SENDING, 1).fields())
            reply = replies.reply_event(ticket, message)
            await self.outbox.add(reply)
            if not await self._repo.insert_message(message):  # a concurrent call stored it first
                message = await self._repo.get_message(message_id) or message
                reply = None
        elif message["ticket_id"] != ticket_id:  # pragma: no cover - ids include the ticket id
            raise NotFoundError(f"сообщение {message_id} не относится к тикету {ticket_id}")
        return message, await self._record_last_message(message), reply

    async def retry_delivery(self, request: api.RetryDeliveryRequest) -> Doc:
        """Send a reply whose delivery failed again: the next attempt, `sending`, through the outbox."""
        ticket_id = domain.require(request.ticket_id, "ticket_id")
        message_id = domain.require(request.message_id, "message_id")
        message = await self._repo.get_message(message_id)
        if message is None or message.get("ticket_id") != ticket_id:
            raise NotFoundError(f"сообщение {message_id} тикета {ticket_id} не найдено")
        if message.get("direction") != domain.Direction.OPERATOR or message.get("internal"):
            raise ConflictError("повторить можно только ответ оператора клиенту")
        current = Delivery.of(message)
        if current.status != FAILED:
            raise ConflictError(f"повторить можно только недоставленное сообщение (сейчас: {current.status})")
        ticket = await self.get(ticket_id)
        domain.check_not_closed(ticket["status"], "повторная отправка")
        retried = Delivery(SENDING, current.attempt + 1)
        reply = replies.reply_event(ticket, {**message, **retried.fields()})
        await self.outbox.add(reply)
        fields = {**retried.fields(), "delivery_at": domain.utcnow()}
        updated = await self._repo.update_message(message_id, fields, stored_condition(message))
        if updated is None:  # another retry (or an outcome) came first; its entry is the same event
            raise ConflictError("сообщение уже отправляется повторно")
        await self._deliveries.show(updated)
        await self.outbox.send(reply)
        return updated

    async def add_note(self, ticket_id: str, operator_id: str, text: str) -> Doc:
        """An internal note: direction SYSTEM, internal=true, operator_id = author; allowed on closed
        tickets; does not change the ticket's last message (the queue shows the conversation)."""
        ticket_id = domain.require(ticket_id, "ticket_id")
        operator_id = domain.require(operator_id, "operator_id")
        domain.validate_note(text)
        ticket = await self.get(ticket_id)
        message_id = domain.operator_message_id(ticket_id, "")
        note = self._message_doc(message_id, ticket, domain.Direction.SYSTEM, operator_id, text)
        note["internal"] = True
        await self._repo.insert_message(note)
        ticket = (
            await self._repo.update_ticket(ticket_id, {}, domain.utcnow(), append_messages=[message_id])
            or ticket
        )
        await self._publisher.notify(domain.Notification.MESSAGE_CREATED, message_id, ticket, note)
        return note

    async def update(self, request: api.UpdateTicketRequest) -> Doc:
        ticket_id = domain.require(request.ticket_id, "ticket_id")
        changes = ticket_changes(request)
        current = await self.get(ticket_id)
        updated: Doc | None = current
        if any(current.get(key) != value for key, value in changes.items()):
            updated = await self._repo.update_ticket(ticket_id, changes, domain.utcnow())
        if updated is None:
            raise NotFoundError(f"тикет {ticket_id} не найден")
        await self._publisher.ticket_updated(updated)
        return updated

    # --- helpers -----------------------------------------------------------------------------------

    def _message_doc(
        self, message_id: str, ticket: Doc, direction: domain.Direction, operator_id: str, text: str
    ) -> Doc:
        now = domain.utcnow()
        return {
            "_id": message_id,
            "ticket_id": ticket["_id"],
            "chat_id": ticket.get("chat_id", 0),
            "direction": str(direction),
            "text": text,
            "attachments": [],
            "edited": False,
            "created_at": now,
            "edited_at": None,
            "operator_id": operator_id,
            "telegram_message_id": 0,
            "internal": False,
            "seq": self._clock.next(time.time_ns()),
            "stored_at": now,
            "trace_id": recorded_trace_id(),
        }

    async def _record_last_message(self, message: Doc) -> Doc:
        """Show `message` as the ticket's last message, unless a later message is shown already."""
        ticket_id = str(message["ticket_id"])
        preview = domain.preview(str(message["text"]), convert.attachment_kinds(message))
        changes = {
            "last_message_at": message["created_at"],
            "last_message_preview": preview,
            "last_message_id": message["_id"],
            domain.WAITING_SINCE: None,  # answered (a later customer message would have failed the condition)
        }
        condition = {
            "last_message_id": {"$ne": message["_id"]},
            "last_message_at": {"$lte": message["created_at"]},
        }
        # An operator's reply joins the timeline once: when it joins the ticket's index.
        event = None
        if message["direction"] == domain.Direction.OPERATOR and not message.get("internal"):
            event = timeline.replied(str(message.get("operator_id") or ""), message["created_at"])
        ticket = await self._repo.update_ticket(
            ticket_id, changes, domain.utcnow(), condition, append_messages=[message["_id"]], event=event
        )
        if ticket is None:  # a later message is shown already (or this is a retry): still index it
            await self._repo.append_messages(ticket_id, [message["_id"]], event)
        return ticket or await self.get(ticket_id)

    async def events(self, ticket_id: str) -> list[timeline.TicketEvent]:
        """The ticket's timeline, oldest first."""
        return timeline.timeline_of(await self.get(ticket_id))


def ticket_filter(request: api.ListTicketsRequest) -> list[dict[str, Any]]:
    """The request's filters as clauses that all must hold."""
    clauses: list[dict[str, Any]] = []
    if request.status != pb.TICKET_STATUS_UNSPECIFIED:
        status = convert.STATUS_FROM_PROTO.get(request.status)
        if status is None:
            raise InvalidArgumentError(f"неизвестный status: {request.status}")
        clauses.append({"status": str(status)})
    if request.assignee_id:
        clauses.append({"assignee_id": request.assignee_id})
    if request.category:
        clauses.append({"category": request.category})
    if request.customer_chat_id:
        clauses.append({"chat_id": request.customer_chat_id})
    if request.visible_to_operator_id:
        clauses.append(
            {"$or": [{"status": str(Status.OPEN)}, {"assignee_id": request.visible_to_operator_id}]}
        )
    query = domain.normalize_query(request.query)
    if query:
        pattern = {"$regex": domain.regex_literal(query), "$options": "i"}
        fields: Sequence[str] = (
            "title",
            "customer.first_name",
            "customer.last_name",
            "customer.username",
            "last_message_preview",
        )
        clauses.append({"$or": [{field: pattern} for field in fields]})
    return clauses


def view_query(request: api.ListTicketsRequest) -> ViewQuery:
    status = convert.STATUS_FROM_PROTO.get(request.status) if request.status else None
    return ViewQuery(
        status=str(status or ""),
        assignee_id=request.assignee_id,
        category=request.category,
        visible_to_operator_id=request.visible_to_operator_id,
        customer_chat_id=request.customer_chat_id,
    )


def ticket_changes(request: api.UpdateTicketRequest) -> dict[str, Any]:
    changes: dict[str, Any] = {}
    for path in domain.validate_update_paths(list(request.update_paths)):
        if path == "tags":
            changes["tags"] = domain.normalize_tags(request.tags)
        elif path == "priority":
            changes["priority"] = convert.priority_name(request.priority)
        elif path == "category":
            changes["category"] = domain.squash(request.category)
        else:
            changes["subcategory"] = domain.squash(request.subcategory)
    return changes
