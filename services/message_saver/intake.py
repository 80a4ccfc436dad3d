"""What arrives from Kafka: customer messages (ticket_created) and generated titles (chat_title_generated).

Idempotent by construction: a message's id comes from (chat id, Telegram message id), so a redelivered
event finds its message stored and only re-publishes its notifications, with the same event ids."""

from __future__ import annotations

import time
import uuid
from datetime import datetime

from services.message_saver import convert, domain
from services.message_saver.convert import Doc
from services.message_saver.publisher import Publisher
from services.message_saver.repository import Repository
from t1.summarizer.v1 import events_pb2 as summarizer
from t1.tickets.v1 import events_pb2 as tickets_events
from t1lib.errors import PermanentEventError

Notification = domain.Notification
OPEN_TICKET_ATTEMPTS = 5


class Intake:
    def __init__(self, repository: Repository, publisher: Publisher, clock: domain.SequenceClock) -> None:
        self._repo = repository
        self._publisher = publisher
        self._clock = clock

    async def customer_message(self, event: tickets_events.TicketCreated) -> None:
        domain.validate_customer_message(
            event.chat_id, event.telegram_message_id, event.text, len(event.attachments)
        )
        message_id = domain.customer_message_id(event.chat_id, event.telegram_message_id)
        stored = await self._repo.get_message(message_id)
        if stored is None:
            await self._store(event, message_id)
        elif event.edited:
            await self._edit(event, stored)
        else:
            await self._publish_stored(stored)

    async def title_generated(self, event: summarizer.ChatTitleGenerated) -> None:
        title = domain.normalize_title(event.title)
        now = domain.utcnow()
        ticket = await self._repo.update_ticket(
            event.ticket_id, {"title": title}, now, {"title": {"$ne": title}}
        )
        if event.category:
            # The automatic category never overrides one an operator has set.
            categorised = await self._repo.update_ticket(
                event.ticket_id,
                {"category": event.category, "subcategory": event.subcategory},
                now,
                {"category": {"$in": ["", None]}},
            )
            ticket = categorised or ticket
        ticket = ticket or await self._repo.get_ticket(event.ticket_id)
        if ticket is None:
            raise PermanentEventError(f"title for unknown ticket {event.ticket_id}")
        await self._publisher.notify(Notification.TICKET_UPDATED, event.event_id, ticket)

    # --- new messages ------------------------------------------------------------------------------

    async def _store(self, event: tickets_events.TicketCreated, message_id: str) -> None:
        now = domain.utcnow()
        message = self._message_doc(event, message_id, now)
        ticket = await self._record_on_active_ticket(event, message, now)
        message["ticket_id"] = ticket["_id"]
        if not await self._repo.insert_message(message):
            # Stored meanwhile by another consumer of the partition (a rebalance): same outcome.
            stored = await self._repo.get_message(message_id)
            assert stored is not None
            message = stored
        await self._publish_new(message, ticket)

    async def _record_on_active_ticket(
        self, event: tickets_events.TicketCreated, message: Doc, now: datetime
    ) -> Doc:
        """The chat's non-closed ticket (opened for this message when there is none), already showing
        `message` as its last message."""
        customer = convert.customer_doc(event.customer, event.chat_id)
        changes: Doc = {
            "last_message_at": now,
            "last_message_preview": domain.preview(message["text"], convert.attachment_kinds(message)),
            "last_message_id": message["_id"],
        }
        if event.HasField("customer"):  # names and username as Telegram reports them now
            changes["customer"] = customer
        for _attempt in range(OPEN_TICKET_ATTEMPTS):
            ticket = await self._active_ticket(event.chat_id, customer, message["_id"], now)
            recorded = await self._repo.update_ticket(
                ticket["_id"],
                changes,
                now,
                {"status": {"$in": [str(status) for status in domain.ACTIVE_STATUSES]}},
            )
            if recorded is not None:
                return recorded
            # Closed since it was looked up (or a stale entry left by a crash during close): forget it.
            await self._repo.release_active(event.chat_id, ticket["_id"])
        raise RuntimeError(f"could not find or open a ticket for chat {event.chat_id}")

    async def _active_ticket(self, chat_id: int, customer: Doc, first_message_id: str, now: datetime) -> Doc:
        for _attempt in range(OPEN_TICKET_ATTEMPTS):
            ticket_id = await self._repo.active_ticket_id(chat_id)
            if ticket_id is None:
                ticket_id = str(uuid.uuid4())
                if not await self._repo.claim_active(chat_id, ticket_id, now):
                    continue  # opened by someone else meanwhile; use theirs
            # Creating the document after claiming also repairs a claim whose ticket was never written.
            return await self._repo.insert_ticket_if_absent(
                new_ticket_doc(ticket_id, chat_id, customer, first_message_id, now)
            )
        raise RuntimeError(f"chat {chat_id}: active ticket keeps changing")

    def _message_doc(self, event: tickets_events.TicketCreated, message_id: str, now: datetime) -> Doc:
        sent_at = convert.moment(event.sent_at, convert.moment(event.occurred_at, now))
        return {
            "_id": message_id,
            "ticket_id": "",
            "chat_id": event.chat_id,
            "direction": str(domain.Direction.CUSTOMER),
            "text": event.text,
            "attachments": convert.attachment_docs(event.attachments, message_id),
            "edited": event.edited,
            "created_at": sent_at,
            "edited_at": sent_at if event.edited else None,
            "operator_id": "",
            "telegram_message_id": event.telegram_message_id,
            "internal": False,
            "seq": self._clock.next(time.time_ns()),
            "source_event_id": event.event_id,
            "stored_at": now,
        }

    async def _publish_new(self, message: Doc, ticket: Doc) -> None:
        source = str(message["source_event_id"])
        opened = ticket.get("first_message_id") == message["_id"]
        if opened:
            await self._publisher.notify(Notification.TICKET_CREATED, source, ticket)
        await self._publisher.notify(Notification.MESSAGE_CREATED, source, ticket, message)
        if opened:
            texts = domain.title_request_texts(
                str(message.get("text", "")), convert.attachment_kinds(message)
            )
            await self._publisher.title_request(source, ticket, texts)

    async def _publish_stored(self, message: Doc) -> None:
        ticket = await self._repo.get_ticket(str(message["ticket_id"]))
        if ticket is None:
            raise RuntimeError(f"message {message['_id']} points at missing ticket {message['ticket_id']}")
        await self._publish_new(message, ticket)

    # --- edits -------------------------------------------------------------------------------------

    async def _edit(self, event: tickets_events.TicketCreated, stored: Doc) -> None:
        now = domain.utcnow()
        edited_at = convert.moment(event.sent_at, convert.moment(event.occurred_at, now))
        changes: Doc = {"text": event.text}
        if event.attachments:  # Telegram edits never remove media: an edit without files keeps them
            changes["attachments"] = convert.attachment_docs(event.attachments, str(stored["_id"]))
        message = await self._repo.apply_edit(str(stored["_id"]), changes, edited_at) or stored
        ticket_id = str(message["ticket_id"])
        preview = domain.preview(str(message["text"]), convert.attachment_kinds(message))
        ticket = await self._repo.update_ticket(
            ticket_id,
            {"last_message_preview": preview},
            now,
            {"last_message_id": message["_id"], "last_message_preview": {"$ne": preview}},
        )
        ticket = ticket or await self._repo.get_ticket(ticket_id)
        if ticket is None:
            raise RuntimeError(f"message {message['_id']} points at missing ticket {ticket_id}")
        await self._publisher.notify(Notification.MESSAGE_UPDATED, event.event_id, ticket, message)


def new_ticket_doc(ticket_id: str, chat_id: int, customer: Doc, first_message_id: str, now: datetime) -> Doc:
    return {
        "_id": ticket_id,
        "chat_id": chat_id,
        "status": str(domain.Status.OPEN),
        "customer": customer,
        "assignee_id": "",
        "title": "",
        "created_at": now,
        "updated_at": now,
        "last_message_at": now,
        "last_message_preview": "",
        "last_message_id": first_message_id,
        "first_message_id": first_message_id,
        "tags": [],
        "priority": "normal",
        "category": "",
        "subcategory": "",
        "version": 0,
    }
