"""What arrives from Kafka: customer messages (ticket_created) and generated titles (chat_title_generated).

Idempotent by construction: a message's id comes from (chat id, Telegram message id), so a redelivered
event finds its message stored and only re-publishes its notifications, with the same event ids.

`customer_messages` takes a whole poll at once: per chat one ticket write (its last message), one insert of
every new message, and the notifications produced together. A chat whose batch holds an edit, or whose
ticket must be opened by a message stored before (a redelivery), goes through `customer_message`, one
event at a time, as does every event of a batch that failed."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from google.protobuf.message import Message
from opentelemetry.context import Context

from services.message_saver import convert, domain, timeline
from services.message_saver.convert import Doc
from services.message_saver.publisher import Publisher
from services.message_saver.repository import Change, ChatRecord, Repository
from services.message_saver.ticket_log import MESSAGE_INDEX
from t1.summarizer.v1 import events_pb2 as summarizer
from t1.tickets.v1 import events_pb2 as tickets_events
from t1.tickets.v1 import ticket_pb2 as pb
from t1lib.errors import PermanentEventError
from t1lib.kafka.producer import Acks
from t1lib.tracing import recorded_trace_id

Notification = domain.Notification
OPEN_TICKET_ATTEMPTS = 5
PLACING_CONCURRENCY = 32  # chats of one poll written at once (each a few store and Redis round trips)


@dataclass
class ChatBatch:
    """One chat's new messages of a poll, in order, and the ticket they went to."""

    chat_id: int
    events: list[tickets_events.TicketCreated]
    messages: list[Doc] = field(default_factory=list)
    ticket: Doc | None = None
    shown: pb.Ticket | None = None  # the ticket's proto as the lists show it, when this batch wrote it


class Intake:
    def __init__(self, repository: Repository, publisher: Publisher, clock: domain.SequenceClock) -> None:
        self._repo = repository
        self._publisher = publisher
        self._clock = clock
        self._placing = asyncio.Semaphore(PLACING_CONCURRENCY)
        # The trace of each customer message of the polls being stored (by message id), which its
        # document names and its notifications continue.
        self._traces: dict[str, Context] = {}

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

    async def customer_messages(
        self, events: Sequence[tickets_events.TicketCreated], traces: Sequence[Context | None] = ()
    ) -> Acks:
        """A poll's customer messages at once; returns the acknowledgements of their notifications, still
        to come. Raises when anything fails (the consumer then hands the events to `customer_message`
        one by one). `traces`: each event's trace, which its notifications continue."""
        trace_of = {
            domain.customer_message_id(event.chat_id, event.telegram_message_id): trace
            for event, trace in zip(events, traces, strict=False)
            if trace is not None
        }
        self._traces.update(trace_of)
        try:
            return await self._customer_messages(events, trace_of)
        finally:
            for message_id in trace_of:
                self._traces.pop(message_id, None)

    async def _customer_messages(
        self, events: Sequence[tickets_events.TicketCreated], trace_of: dict[str, Context]
    ) -> Acks:
        for event in events:
            domain.validate_customer_message(
                event.chat_id, event.telegram_message_id, event.text, len(event.attachments)
            )
        by_chat: dict[int, list[tickets_events.TicketCreated]] = {}
        for event in events:
            by_chat.setdefault(event.chat_id, []).append(event)
        batches = [ChatBatch(chat_id, chat_events) for chat_id, chat_events in by_chat.items()]
        now = domain.utcnow()
        if self._repo.single_writer:
            placed = await self._record_together(batches, now)
        else:
            placed = await asyncio.gather(*(self._place_bounded(batch, now) for batch in batches))
        together = [batch for batch, ok in zip(batches, placed, strict=True) if ok]
        alone = [batch for batch, ok in zip(batches, placed, strict=True) if not ok]
        messages = [message for batch in together for message in batch.messages]
        # A message already stored (a redelivery, or twice in this poll) is announced as stored.
        stored_before = await self._repo.insert_messages(messages)
        for batch in together:
            for index, message in enumerate(batch.messages):
                if message["_id"] in stored_before:
                    batch.messages[index] = await self._repo.get_message(message["_id"]) or message
        caused = [
            (notice, trace_of.get(str(message["_id"])))
            for batch in together
            for message in batch.messages
            for notice in self._notices(message, batch.ticket or {}, batch.shown)
        ]
        acks = await self._publisher.hand_over_all(
            [notice for notice, _trace in caused], [trace for _notice, trace in caused] if trace_of else None
        )
        await asyncio.gather(*(self._one_by_one(batch.events) for batch in alone))
        return acks

    async def _record_together(self, batches: Sequence[ChatBatch], now: datetime) -> list[bool]:
        """The single writer's way: every chat's messages recorded with a few writes in all. True for
        each batch recorded; the others go one by one."""
        records: dict[int, ChatRecord] = {}
        for batch in batches:
            if any(event.edited for event in batch.events):
                continue
            batch.messages = [self._new_message_doc(event, now) for event in batch.events]
            profile = _profile(batch.events)
            customer = convert.customer_doc(profile.customer, batch.chat_id)
            changes = _last_message_changes(profile, batch.messages, now)
            message_ids = [str(message["_id"]) for message in batch.messages]
            first_id = message_ids[0]
            opening = new_ticket_doc(
                domain.opening_ticket_id(first_id), batch.chat_id, customer, first_id, now
            )
            waits = _waiting_defaults(now)
            opening.update(changes, **waits, version=1)
            opening[MESSAGE_INDEX] = message_ids
            records[batch.chat_id] = ChatRecord(batch.chat_id, message_ids, changes, opening, waits)
        await self._repo.record_chats(list(records.values()), now)
        placed: list[bool] = []
        for batch in batches:
            record = records.get(batch.chat_id)
            batch.ticket = None if record is None else record.ticket
            batch.shown = None if record is None else record.shown
            if batch.ticket is not None:
                for message in batch.messages:
                    message["ticket_id"] = batch.ticket["_id"]
            placed.append(batch.ticket is not None)
        return placed

    async def _place_bounded(self, batch: ChatBatch, now: datetime) -> bool:
        async with self._placing:
            return await self._place(batch, now)

    async def _place(self, batch: ChatBatch, now: datetime) -> bool:
        """Record the chat's messages on its active ticket; False when the chat must go one by one."""
        if any(event.edited for event in batch.events):
            return False
        batch.messages = [self._new_message_doc(event, now) for event in batch.events]
        opening = await self._repo.active_ticket_id(batch.chat_id) is None
        if opening and await self._repo.get_message(batch.messages[0]["_id"]) is not None:
            return False  # a redelivery whose ticket was closed since: as the first time, one by one
        profile = _profile(batch.events)
        batch.ticket = await self._record_on_active_ticket(profile, batch.messages, now)
        for message in batch.messages:
            message["ticket_id"] = batch.ticket["_id"]
        return True

    async def _one_by_one(self, events: Sequence[tickets_events.TicketCreated]) -> None:
        for event in events:
            await self.customer_message(event)

    async def title_generated(self, event: summarizer.ChatTitleGenerated) -> None:
        await (await self.titles_generated([event])).wait()

    async def titles_generated(self, events: Sequence[summarizer.ChatTitleGenerated]) -> Acks:
        """Titles (and categories) of a poll, written together; each announced as ticket.updated (the
        acknowledgements returned are still to come)."""
        now = domain.utcnow()
        updated = await self._repo.update_tickets(
            [(event.ticket_id, _title_changes(event)) for event in events], now, logged=True
        )
        notices = []
        for event, ticket in zip(events, updated, strict=True):
            ticket = ticket or await self._repo.get_ticket(event.ticket_id)
            if ticket is None:
                raise PermanentEventError(f"title for unknown ticket {event.ticket_id}")
            notices.append(self._publisher.notification(Notification.TICKET_UPDATED, event.event_id, ticket))
        return await self._publisher.hand_over_all(notices)

    # --- new messages ------------------------------------------------------------------------------

    async def _store(self, event: tickets_events.TicketCreated, message_id: str) -> None:
        now = domain.utcnow()
        message = self._message_doc(event, message_id, now)
        ticket = await self._record_on_active_ticket(event, [message], now)
        message["ticket_id"] = ticket["_id"]
        if not await self._repo.insert_message(message):
            # Stored meanwhile by another consumer of the partition (a rebalance): same outcome.
            stored = await self._repo.get_message(message_id)
            assert stored is not None
            message = stored
        await self._publish_new(message, ticket)

    async def _record_on_active_ticket(
        self, event: tickets_events.TicketCreated, messages: list[Doc], now: datetime
    ) -> Doc:
        """The chat's non-closed ticket (opened by the first of `messages` when there is none), with
        `messages` in its index and the last one shown as its last message; `event` carries the
        customer's profile."""
        customer = convert.customer_doc(event.customer, event.chat_id)
        changes = _last_message_changes(event, messages, now)
        for attempt in range(OPEN_TICKET_ATTEMPTS):
            # A ticket this message opened before and that is closed now is not reopened: a new one.
            ticket_id = domain.opening_ticket_id(messages[0]["_id"]) if attempt == 0 else str(uuid.uuid4())
            ticket = await self._active_ticket(event.chat_id, customer, messages[0]["_id"], now, ticket_id)
            recorded = await self._repo.update_ticket(
                ticket["_id"],
                changes,
                now,
                {"status": {"$in": [str(status) for status in domain.ACTIVE_STATUSES]}},
                append_messages=[str(message["_id"]) for message in messages],
                defaults=_waiting_defaults(now),
            )
            if recorded is not None:
                return recorded
            # Closed since it was looked up (or a stale entry left by a crash during close): forget it.
            await self._repo.release_active(event.chat_id, ticket["_id"])
        raise RuntimeError(f"could not find or open a ticket for chat {event.chat_id}")

    async def _active_ticket(
        self, chat_id: int, customer: Doc, first_message_id: str, now: datetime, opening_id: str
    ) -> Doc:
        """The chat's active ticket; opened as `opening_id` when the chat has none."""
        for _attempt in range(OPEN_TICKET_ATTEMPTS):
            ticket_id = await self._repo.active_ticket_id(chat_id)
            if ticket_id is None:
                ticket_id = opening_id
                if not await self._repo.claim_active(chat_id, ticket_id, now):
                    continue  # opened by someone else meanwhile; use theirs
            # Creating the document after claiming also repairs a claim whose ticket was never written.
            return await self._repo.insert_ticket_if_absent(
                new_ticket_doc(ticket_id, chat_id, customer, first_message_id, now)
            )
        raise RuntimeError(f"chat {chat_id}: active ticket keeps changing")

    def _new_message_doc(self, event: tickets_events.TicketCreated, now: datetime) -> Doc:
        message_id = domain.customer_message_id(event.chat_id, event.telegram_message_id)
        return self._message_doc(event, message_id, now)

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
            "trace_id": recorded_trace_id(self._traces.get(message_id)),
        }

    async def _publish_new(self, message: Doc, ticket: Doc) -> None:
        await self._publisher.publish_all(self._notices(message, ticket))

    def _notices(self, message: Doc, ticket: Doc, shown: pb.Ticket | None = None) -> list[Message]:
        """What a stored customer message announces: ticket.created and a title request when it opened
        its ticket, and message.created. `shown`: the ticket's proto, when built already."""
        source = str(message["source_event_id"])
        opened = ticket.get("first_message_id") == message["_id"]
        notices: list[Message] = []
        if opened:
            notices.append(
                self._publisher.notification(Notification.TICKET_CREATED, source, ticket, shown=shown)
            )
        notices.append(
            self._publisher.notification(Notification.MESSAGE_CREATED, source, ticket, message, shown=shown)
        )
        if opened:
            texts = domain.title_request_texts(
                str(message.get("text", "")), convert.attachment_kinds(message)
            )
            notices.append(self._publisher.title_request_event(source, ticket, texts))
        return notices

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


def _title_changes(event: summarizer.ChatTitleGenerated) -> list[Change]:
    title = domain.normalize_title(event.title)
    changes = [Change({"title": title}, {"title": {"$ne": title}})]
    if event.category:
        # The automatic category never overrides one an operator has set.
        changes.append(
            Change(
                {"category": event.category, "subcategory": event.subcategory},
                {"category": {"$in": ["", None]}},
            )
        )
    return changes


def _profile(events: Sequence[tickets_events.TicketCreated]) -> tickets_events.TicketCreated:
    """The event whose customer profile is the newest (not every event carries one)."""
    with_customer = [event for event in events if event.HasField("customer")]
    return with_customer[-1] if with_customer else events[-1]


def _last_message_changes(event: tickets_events.TicketCreated, messages: Sequence[Doc], now: datetime) -> Doc:
    """What a ticket shows of its newest messages; `event` carries the customer's profile."""
    last = messages[-1]
    changes: Doc = {
        "last_message_at": now,
        domain.LAST_CUSTOMER_MESSAGE_AT: now,
        "last_message_preview": domain.preview(last["text"], convert.attachment_kinds(last)),
        "last_message_id": last["_id"],
    }
    if event.HasField("customer"):  # names and username as Telegram reports them now
        changes["customer"] = convert.customer_doc(event.customer, event.chat_id)
    return changes


def _waiting_defaults(now: datetime) -> Doc:
    """What customer messages stored at `now` set where the ticket has none: waiting since then (a
    ticket whose customer waits already keeps waiting since the earlier message)."""
    return {domain.WAITING_SINCE: now}


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
        domain.WAITING_SINCE: None,
        domain.LAST_CUSTOMER_MESSAGE_AT: None,
        "tags": [],
        "priority": "normal",
        "category": "",
        "subcategory": "",
        "version": 0,
        MESSAGE_INDEX: [],
        timeline.EVENTS: [timeline.opened(now).to_doc()],
    }
