"""MongoDB access. Collections: `tickets`, `messages`, `active_tickets` (_id = the customer's chat id as
a string -> the chat's one non-closed ticket). No transactions, so it runs on FerretDB v1 and MongoDB 7 alike.

Every change of a ticket is one conditional update. On MongoDB the condition is part of the filter, so
the store applies it atomically and any number of instances may write. FerretDB v1 evaluates every
filter but a bare {"_id": value} over the whole collection, and runs an update as read, modify, write
back without isolation (measured: 28 of 30 concurrent conditional takes both won). There a single
message_saver instance is the only writer (`single_writer`): writes of one document are serialized
in-process (`KeyedLocks`), the condition is checked in Python (`conditions.matches`) on the document as
last read or written, and every read and write names the _id alone. Documents this instance read or wrote
are kept in memory, so the hot path reads nothing it already knows."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections import OrderedDict
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import BulkWriteError, DuplicateKeyError, OperationFailure

from services.message_saver import convert, domain, timeline
from services.message_saver.conditions import matches
from services.message_saver.convert import Doc, index_length
from services.message_saver.ticket_log import (
    CHANGE_COUNT,
    CHANGES,
    ENTRIES,
    ENTRY_COUNT,
    MESSAGE_INDEX,
    ChangeLog,
    TicketLog,
    with_changes,
)
from services.message_saver.timeline import EVENTS, EVENTS_LIMIT, TicketEvent
from services.message_saver.views import TicketViews
from t1.tickets.v1 import ticket_pb2 as pb

TICKETS = "tickets"
MESSAGES = "messages"
ACTIVE_TICKETS = "active_tickets"  # _id = active_key(chat id)
MIGRATIONS = "store_migrations"  # _id = the name of a one-time data migration that has run
ACTIVE_KEYS_MIGRATION = "active_tickets: string chat keys"

# A ticket's messages are found through its index (ticket_log): its first messages' ids in the ticket
# (`message_ids`; on MongoDB all of them), later ones as entries of their own on the single writer.

TICKET_ORDER = [("last_message_at", DESCENDING), ("_id", DESCENDING)]
MESSAGE_ORDER = [("seq", ASCENDING), ("_id", ASCENDING)]


DUPLICATE_KEY = 11000
# Tickets kept in memory by a single writer (a few KB each with their message index) and chats' active
# ticket entries (tens of bytes each): the working set of a busy desk, not its history.
TICKET_CACHE_SIZE = 50_000
ACTIVE_CACHE_SIZE = 200_000
# Updates per `update` command of a batch. FerretDB v1.24 keeps every statement's cursor open until the
# command ends (see docs/decisions.md), so a command must stay well under its 100 SQLite connections.
BULK_UPDATE_CHUNK = 40
# A ticket whose newest messages are only in its log gets its document written (a checkpoint) once its
# log holds this many entries or its oldest unwritten change is `checkpoint_after_s` old (default): what a
# restart reads to catch up stays short. Each checkpoint is a ticket update (0.7 ms of FerretDB's CPU), so
# the age is minutes: a conversation active for an hour costs ~12 of them, not one per message.
CHECKPOINT_AFTER_ENTRIES = 32
CHECKPOINT_AFTER_S = 300.0
# What a checkpoint writes: the fields a customer's message changes.
# The fields an update may record in the ticket's change log instead of writing the ticket (a generated
# title and category: an insert instead of a ticket update).
LOGGABLE_FIELDS = frozenset({"title", "category", "subcategory", "updated_at"})
CHECKPOINT_FIELDS = (
    "last_message_at",
    "last_message_preview",
    "last_message_id",
    domain.WAITING_SINCE,
    domain.LAST_CUSTOMER_MESSAGE_AT,
    "customer",
    ENTRY_COUNT,
    *sorted(LOGGABLE_FIELDS),
    CHANGE_COUNT,
)


class KeyedLocks:
    """One asyncio.Lock per key (a ticket id, a chat) while anyone holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, key: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(key, (asyncio.Lock(), 0))
        self._locks[key] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[key]
            if users == 1:
                del self._locks[key]
            else:
                self._locks[key] = (lock, users - 1)

    @asynccontextmanager
    async def hold_all(self, keys: Iterable[str]) -> AsyncIterator[None]:
        """Hold every key's lock, taken in sorted order so two holders of many never wait on each other."""
        async with contextlib.AsyncExitStack() as held:
            for key in sorted(set(keys)):
                await held.enter_async_context(self.hold(key))
            yield


class DocCache:
    """The documents last read or written by this (single-writer) instance, least recently used dropped."""

    def __init__(self, size: int) -> None:
        self._size = size
        self._docs: OrderedDict[object, Doc | None] = OrderedDict()

    def get(self, key: object) -> tuple[bool, Doc | None]:
        """(known, document); a known None means the store has no such document."""
        if key not in self._docs:
            return False, None
        self._docs.move_to_end(key)
        return True, self._docs[key]

    def put(self, key: object, doc: Doc | None) -> None:
        self._docs[key] = doc
        self._docs.move_to_end(key)
        if len(self._docs) > self._size:
            self._docs.popitem(last=False)

    def put_if_newer(self, key: object, doc: Doc) -> None:
        """Cache a document read without the writer's lock, unless a newer version is cached (a read
        that raced a write must not bring back what the write replaced)."""
        known, cached = self.get(key)
        if known and cached is not None and int(cached.get("version", 0)) > int(doc.get("version", 0)):
            return
        self.put(key, doc)

    def forget(self, key: object) -> None:
        self._docs.pop(key, None)


@dataclass(frozen=True)
class Change:
    """Fields to $set on a ticket when it matches `condition` (a MongoDB filter on the ticket)."""

    fields: Doc
    condition: Mapping[str, Any] | None = None


@dataclass
class ChatRecord:
    """One chat's new messages of a poll, for `record_chats`: the ticket to open when the chat has
    none (`opening`, with these messages in its index) and the fields to set on the one it has."""

    chat_id: int
    message_ids: list[str]
    changes: Doc
    opening: Doc
    defaults: Doc = field(default_factory=dict)  # fields set only where the ticket has none
    ticket: Doc | None = field(default=None, init=False)
    shown: pb.Ticket | None = field(default=None, init=False)  # `ticket` as the lists show it, if written


class Repository:
    def __init__(
        self,
        database: AsyncDatabase[Doc],
        *,
        single_writer: bool = False,
        cache_size: int = TICKET_CACHE_SIZE,
        views: TicketViews | None = None,
        secondary_indexes: bool = True,
        checkpoint_after_s: float = CHECKPOINT_AFTER_S,
    ) -> None:
        self.tickets = database[TICKETS]
        self.checkpoint_after_s = checkpoint_after_s
        self.secondary_indexes = secondary_indexes
        self.messages = database[MESSAGES]
        self.active = database[ACTIVE_TICKETS]
        self.migrations = database[MIGRATIONS]
        self.single_writer = single_writer
        self.views = views
        self._locks = KeyedLocks()
        self._tickets = DocCache(cache_size)
        self._active = DocCache(max(cache_size, ACTIVE_CACHE_SIZE))
        self.log = TicketLog(database[ENTRIES], cache_size)
        self.changes = ChangeLog(database[CHANGES])
        # Tickets whose document lags their log: ticket id -> (since, index length written).
        # Insertion order is age order (an entry is only added when absent), so the old ones come first.
        self._unwritten: dict[str, tuple[float, int]] = {}
        self._long_logs: set[str] = set()  # of those, the tickets whose log reached CHECKPOINT_AFTER_ENTRIES

    async def create_indexes(self) -> None:
        """The indexes of the store's queries. FerretDB v1 uses none but the _id's for a query (every
        other filter and sort runs over the whole collection) while every write maintains each one:
        there the secondary indexes are dropped instead (15-18% of its CPU per ticket update)."""
        if not self.secondary_indexes:
            for collection in (self.tickets, self.messages, self.active):
                with contextlib.suppress(OperationFailure):  # no such collection yet
                    await collection.drop_indexes()
            return
        await self.tickets.create_index(TICKET_ORDER)
        await self.tickets.create_index([("status", ASCENDING), *TICKET_ORDER])
        await self.tickets.create_index([("assignee_id", ASCENDING), *TICKET_ORDER])
        await self.tickets.create_index([("chat_id", ASCENDING), ("created_at", DESCENDING)])
        await self.messages.create_index([("ticket_id", ASCENDING), *MESSAGE_ORDER])
        await self.active.create_index([("ticket_id", ASCENDING)])

    # --- tickets -----------------------------------------------------------------------------------

    async def get_ticket(self, ticket_id: str) -> Doc | None:
        if self.single_writer:
            known, doc = self._tickets.get(ticket_id)
            if known:
                return None if doc is None else dict(doc)
        doc = await self.tickets.find_one({"_id": ticket_id})
        if doc is None:
            return None
        if self.single_writer:
            doc = await self._caught_up(doc)
            self._tickets.put_if_newer(ticket_id, doc)
        return dict(doc)

    async def _caught_up(self, doc: Doc) -> Doc:
        """The ticket as its document and the logs after its checkpoint tell together."""
        tail = await self.log.tail(doc) if MESSAGE_INDEX in doc else []  # older tickets have no index
        changes = await self.changes.tail(doc)
        if not tail and not changes:
            return doc
        written = index_length(doc)
        after = {**doc, ENTRY_COUNT: written + len(tail), "version": int(doc.get("version", 0)) + len(tail)}
        messages = [message for message in await asyncio.gather(*map(self.get_message, tail)) if message]
        shown = [message for message in messages if not message.get("internal")]
        if shown:
            after.update(last_message_fields(shown[-1]))
            waiting = domain.Waiting.of(after)
            for message in shown:
                waiting = waiting.after(str(message.get("direction")), False, message_time(message))
            after.update(waiting.fields())
        after = with_changes(after, changes)
        self._note_unwritten(str(doc["_id"]), written, index_length(after))
        return after

    async def insert_ticket_if_absent(self, doc: Doc) -> Doc:
        """The ticket with doc's _id: created from `doc` unless it exists (then left unchanged)."""
        ticket_id = str(doc["_id"])
        async with self._locks.hold(ticket_id):
            if self.single_writer:
                existing = await self.get_ticket(ticket_id)
                if existing is not None:
                    return existing  # the usual case: the chat's ticket, known; nothing to show anew
            await self._begin(ticket_id)
            ticket = await self._insert_ticket_if_absent(ticket_id, doc)
            await self._show(ticket)
            return ticket

    async def _insert_ticket_if_absent(self, ticket_id: str, doc: Doc) -> Doc:
        if self.single_writer:
            existing = await self.get_ticket(ticket_id)
            if existing is not None:
                return existing
            try:
                await self.tickets.insert_one(dict(doc))
            except DuplicateKeyError:
                self._tickets.forget(ticket_id)
                created = await self.get_ticket(ticket_id)
                assert created is not None
                return created
            self._tickets.put(ticket_id, dict(doc))
            return dict(doc)
        fields = {key: value for key, value in doc.items() if key != "_id"}
        upserted = await self.tickets.find_one_and_update(
            {"_id": ticket_id}, {"$setOnInsert": fields}, upsert=True, return_document=ReturnDocument.AFTER
        )
        assert upserted is not None  # upsert always returns a document
        return upserted

    async def update_ticket(
        self,
        ticket_id: str,
        changes: Mapping[str, Any],
        now: datetime,
        condition: Mapping[str, Any] | None = None,
        *,
        append_messages: Sequence[str] = (),
        defaults: Mapping[str, Any] | None = None,
        event: TicketEvent | None = None,
    ) -> Doc | None:
        """Apply `changes` ($set) when the ticket matches `condition`; bump version and updated_at, and
        add `append_messages` to the ticket's message index; `defaults` are set where the ticket has no
        value (None or missing). Returns the ticket after the change, or None when nothing matched.
        `event` joins the ticket's timeline in the same write; with `append_messages`, only when they
        were not in the index yet (a retried reply counts once)."""
        async with self._locks.hold(ticket_id):
            await self._begin(ticket_id)
            updated = await self._update_ticket(
                ticket_id, changes, now, condition, append_messages, defaults or {}, event
            )
            if updated is None:
                if self.views is not None:
                    await self.views.done(ticket_id)
            else:
                await self._show(updated)
            return updated

    async def _update_ticket(
        self,
        ticket_id: str,
        changes: Mapping[str, Any],
        now: datetime,
        condition: Mapping[str, Any] | None,
        append_messages: Sequence[str],
        defaults: Mapping[str, Any],
        event: TicketEvent | None = None,
    ) -> Doc | None:
        if not self.single_writer:
            return await self._update_ticket_atomically(
                ticket_id, {**changes, "updated_at": now}, condition, append_messages, defaults, event
            )
        current = await self.get_ticket(ticket_id)
        if current is None or not matches(current, condition):
            return None
        appended = await self._appended(current, append_messages)
        fields = {**changes, **missing(current, defaults, changes), "updated_at": now}
        if event is not None and _event_applies(current, appended, append_messages):
            fields[EVENTS] = timeline.record(appended.get(EVENTS), event)
        [after] = await self._write_updates([(appended, fields)])
        return dict(after)

    async def _update_ticket_atomically(
        self,
        ticket_id: str,
        fields: Mapping[str, Any],
        condition: Mapping[str, Any] | None,
        append_messages: Sequence[str],
        defaults: Mapping[str, Any],
        event: TicketEvent | None = None,
    ) -> Doc | None:
        """`_update_ticket` on MongoDB: one conditional update, the first of its variants that matches
        (a ticket with or without a message index, and with messages new to it or not: the timeline's
        `event` is pushed only with new ones; `defaults` set when the ticket has none of them, else left
        alone). Timeline events are folded when read (timeline.fold)."""
        push: Doc = {"$push": pushed_event(event)} if event is not None else {}
        indexed: list[tuple[Doc, Doc]] = [({}, push)]
        if append_messages:
            ids = list(append_messages)
            add = {"$addToSet": {MESSAGE_INDEX: {"$each": ids}}}
            indexed = [({MESSAGE_INDEX: {"$exists": True}}, add), ({MESSAGE_INDEX: {"$exists": False}}, push)]
            if push:
                indexed.insert(0, ({MESSAGE_INDEX: {"$exists": True, "$nin": ids}}, {**add, **push}))
        defaulted: list[tuple[Doc, Doc]] = [({}, {})]
        if defaults:
            defaulted = [({name: None for name in defaults}, dict(defaults)), ({}, {})]
        for index_clause, index_update in indexed:
            for default_clause, default_fields in defaulted:
                update: Doc = {"$set": {**default_fields, **fields}, "$inc": {"version": 1}, **index_update}
                found = await self.tickets.find_one_and_update(
                    {"_id": ticket_id, **index_clause, **default_clause, **(condition or {})},
                    update,
                    return_document=ReturnDocument.AFTER,
                )
                if found is not None:
                    return found
        return None

    async def _appended(self, current: Doc, message_ids: Sequence[str]) -> Doc:
        """The ticket (as in memory) after adding `message_ids` to its log, one version per entry."""
        if not message_ids or MESSAGE_INDEX not in current:
            return current
        ticket_id = str(current["_id"])
        try:
            [added] = await self.log.append_many([(current, message_ids)])
        except Exception:
            self._forget(ticket_id)  # caught up again from the store when next read
            raise
        if not added:
            return current
        after = {
            **current,
            ENTRY_COUNT: index_length(current) + len(added),
            "version": int(current.get("version", 0)) + len(added),
        }
        self._note_unwritten(ticket_id, index_length(current), index_length(after))
        self._tickets.put(ticket_id, after)
        return after

    def _note_unwritten(self, ticket_id: str, written: int, length: int) -> None:
        """The ticket's log now holds `length` entries in all; its document holds `written` (or fewer)."""
        _since, oldest_written = self._unwritten.setdefault(ticket_id, (time.monotonic(), written))
        if length - oldest_written >= CHECKPOINT_AFTER_ENTRIES:
            self._long_logs.add(ticket_id)

    def _written(self, ticket_id: str) -> None:
        self._unwritten.pop(ticket_id, None)
        self._long_logs.discard(ticket_id)

    def _forget(self, ticket_id: str) -> None:
        self._tickets.forget(ticket_id)
        self.log.forget(ticket_id)
        self._written(ticket_id)

    async def record_chats(self, records: Sequence[ChatRecord], now: datetime) -> None:
        """Record many chats' messages on their active tickets with a few writes in all (single writer
        only): one insert of the chats' claims and one of the tickets they open, and the other tickets'
        updates a few dozen to a command. Sets `ticket` of each record written; a record left without
        one (a stale or missing active ticket, an opening message seen before) needs the one-by-one path.
        """
        assert self.single_writer, "batched ticket writes need the single writer"
        active: dict[int, str] = {}
        unknown: list[ChatRecord] = []
        for record in records:
            known, entry = self._active.get(record.chat_id)
            if known and entry is not None:
                active[record.chat_id] = str(entry["ticket_id"])
            else:
                unknown.append(record)
        opening = await self._claim_many(unknown, now)
        for record in unknown:
            if record.chat_id not in opening:
                entry = await self._active_entry(record.chat_id)  # claimed before this instance knew
                if entry is not None:
                    active[record.chat_id] = str(entry["ticket_id"])
        ticket_ids = sorted(set(active.values()) | {str(record.opening["_id"]) for record in unknown})
        async with self._locks.hold_all(ticket_ids):
            await self._begin_many(ticket_ids)
            written: list[Doc] = []
            try:
                written += await self._open_many([r for r in records if r.chat_id in opening])
                written += await self._update_many([r for r in records if r.chat_id in active], active, now)
            except Exception:
                # What was written is shown; the rest stays pending until it is written again.
                if self.views is not None:
                    await self.views.put_many(written)
                raise
            shown = await self._show_many(written, ticket_ids)
        for record in records:
            if record.ticket is not None:
                record.shown = shown.get(str(record.ticket["_id"]))

    async def _claim_many(self, records: Sequence[ChatRecord], now: datetime) -> set[int]:
        """Claim each record's chat for its opening ticket; the chats claimed (the others have one)."""
        entries: list[Doc] = [
            {
                "_id": active_key(record.chat_id),
                "chat_id": record.chat_id,
                "ticket_id": str(record.opening["_id"]),
                "created_at": now,
            }
            for record in records
        ]
        taken = await _insert_new(self.active, entries)
        claimed: set[int] = set()
        for entry in entries:
            chat_id = int(entry["chat_id"])
            if entry["_id"] in taken:
                self._active.forget(chat_id)
            else:
                self._active.put(chat_id, entry)
                claimed.add(chat_id)
        return claimed

    async def _open_many(self, records: Sequence[ChatRecord]) -> list[Doc]:
        docs = [dict(record.opening) for record in records]
        existing = await _insert_new(self.tickets, docs)
        opened: list[Doc] = []
        for record, doc in zip(records, docs, strict=True):
            if doc["_id"] in existing:
                # Opened by this message before (a redelivery): the one-by-one path decides.
                await self.release_active(record.chat_id, str(doc["_id"]))
                continue
            self._tickets.put(doc["_id"], doc)
            record.ticket = dict(doc)
            opened.append(doc)
        return opened

    async def _update_many(
        self, records: Sequence[ChatRecord], active: Mapping[int, str], now: datetime
    ) -> list[Doc]:
        """Add each record's messages to its ticket's log (one insert for all) and show them on the
        ticket in memory; the ticket documents are written later, as checkpoints."""
        planned: list[tuple[ChatRecord, Doc]] = []
        for record in records:
            current = await self.get_ticket(active[record.chat_id])
            if current is None or current.get("status") not in ACTIVE_STATUS_NAMES:
                continue  # a stale entry (a crash during close or open): the one-by-one path repairs it
            planned.append((record, current))
        indexed = [(record, current) for record, current in planned if MESSAGE_INDEX in current]
        try:
            added = await self.log.append_many([(current, record.message_ids) for record, current in indexed])
        except Exception:
            for _record, current in indexed:
                self._forget(str(current["_id"]))
            raise
        added_by_ticket = {
            str(current["_id"]): new for (_record, current), new in zip(indexed, added, strict=True)
        }
        updated: list[Doc] = []
        legacy: list[tuple[ChatRecord, Doc]] = []
        for record, current in planned:
            ticket_id = str(current["_id"])
            if ticket_id not in added_by_ticket:
                legacy.append((record, current))  # no index: its document is written as before
                continue
            new = added_by_ticket[ticket_id]
            if not new:
                record.ticket = current  # every message indexed already (a redelivery)
                continue
            after = {
                **current,
                **record.changes,
                **missing(current, record.defaults, record.changes),
                "updated_at": now,
                ENTRY_COUNT: index_length(current) + len(new),
                "version": int(current.get("version", 0)) + len(new),
            }
            self._note_unwritten(ticket_id, index_length(current), index_length(after))
            self._tickets.put(ticket_id, after)
            record.ticket = dict(after)
            updated.append(after)
        written = await self._write_updates(
            [
                (
                    current,
                    {
                        **record.changes,
                        **missing(current, record.defaults, record.changes),
                        "updated_at": now,
                    },
                )
                for record, current in legacy
            ]
        )
        for (record, _current), after in zip(legacy, written, strict=True):
            record.ticket = dict(after)
        return updated + written

    async def _write_updates(
        self, planned: Sequence[tuple[Doc, Doc]], *, new_version: bool = True
    ) -> list[Doc]:
        """Write (ticket as known, fields to set) pairs a few dozen to a command, with the tickets
        locked by the caller, each with what its log added since its last write (a checkpoint); the
        tickets after. `new_version`: the change is one more version (a checkpoint alone is not)."""
        updated: list[Doc] = []
        for start in range(0, len(planned), BULK_UPDATE_CHUNK):
            chunk = planned[start : start + BULK_UPDATE_CHUNK]
            writes: list[tuple[Doc, Doc]] = []
            for current, fields in chunk:
                version = int(current.get("version", 0)) + (1 if new_version else 0)
                checkpoint = {name: current[name] for name in CHECKPOINT_FIELDS if name in current}
                writes.append((current, {**checkpoint, **fields, "version": version}))
                self._tickets.forget(current["_id"])  # unknown until the write is confirmed
            result = await self.tickets.bulk_write(
                [UpdateOne({"_id": current["_id"]}, {"$set": fields}) for current, fields in writes],
                ordered=True,
            )
            if result.matched_count != len(chunk):
                raise RuntimeError(f"{len(chunk) - result.matched_count} tickets vanished while locked")
            for current, fields in writes:
                after = {**current, **fields}
                self._tickets.put(current["_id"], after)
                self._written(str(current["_id"]))
                updated.append(after)
        return updated

    async def write_checkpoints(self, *, everything: bool = False, limit: int | None = None) -> int:
        """Write the documents of tickets whose log grew long or whose oldest unwritten change is old
        (`everything`: of every such ticket, as at shutdown); how many were written. `limit`: at most
        that many, the long logs first, then the oldest."""
        if everything:
            due = list(self._unwritten)
        else:
            due = list(self._long_logs)
            oldest_allowed = time.monotonic() - self.checkpoint_after_s
            for ticket_id, (since, _written) in self._unwritten.items():
                if since > oldest_allowed or (limit is not None and len(due) >= limit):
                    break  # the rest are younger (or wait for the next round)
                if ticket_id not in self._long_logs:
                    due.append(ticket_id)
        if limit is not None:
            due = due[:limit]
        written = 0
        # A few dozen at a time, so the intake never waits long for a ticket being checkpointed.
        for start in range(0, len(due), BULK_UPDATE_CHUNK):
            written += await self._write_checkpoints(sorted(due[start : start + BULK_UPDATE_CHUNK]))
        return written

    async def _write_checkpoints(self, ticket_ids: Sequence[str]) -> int:
        async with self._locks.hold_all(ticket_ids):
            planned: list[tuple[Doc, Doc]] = []
            for ticket_id in ticket_ids:
                known, current = self._tickets.get(ticket_id)
                if not known or current is None or ticket_id not in self._unwritten:
                    # Dropped from memory (its log still tells) or written meanwhile.
                    self._written(ticket_id)
                    continue
                planned.append((current, {}))
            return len(await self._write_updates(planned, new_version=False))

    async def update_tickets(
        self, items: Sequence[tuple[str, Sequence[Change]]], now: datetime, *, logged: bool = False
    ) -> list[Doc | None]:
        """For each (ticket id, changes): apply every change whose condition the ticket matches, in one
        write per ticket (a few dozen tickets to a command on the single writer). Each ticket after,
        or None when nothing applied (or no such ticket). `logged`: on the single writer, an active
        ticket's change of LOGGABLE_FIELDS only is recorded in its change log (an insert) and written
        with the ticket's next checkpoint."""
        if not self.single_writer:
            results: list[Doc | None] = []
            for ticket_id, changes in items:
                after = None
                for change in changes:
                    after = await self.update_ticket(ticket_id, change.fields, now, change.condition) or after
                results.append(after)
            return results
        ticket_ids = sorted({ticket_id for ticket_id, _changes in items})
        async with self._locks.hold_all(ticket_ids):
            await self._begin_many(ticket_ids)
            planned: dict[str, tuple[Doc, Doc]] = {}
            for ticket_id, changes in items:
                current = planned[ticket_id][0] if ticket_id in planned else await self.get_ticket(ticket_id)
                if current is None:
                    continue
                fields = dict(planned[ticket_id][1]) if ticket_id in planned else {}
                seen = {**current, **fields}
                for change in changes:
                    if matches(seen, change.condition):
                        fields.update(change.fields)
                        seen.update(change.fields)
                if fields:
                    planned[ticket_id] = (current, {**fields, "updated_at": now})
            deferred = [plan for plan in planned.values() if logged and _loggable(*plan)]
            direct = [plan for plan in planned.values() if not (logged and _loggable(*plan))]
            written = await self._log_changes(deferred)
            written += await self._write_updates(direct)
            await self._show_many(written, ticket_ids)
        by_id = {str(ticket["_id"]): ticket for ticket in written}
        return [dict(by_id[ticket_id]) if ticket_id in by_id else None for ticket_id, _changes in items]

    async def _log_changes(self, planned: Sequence[tuple[Doc, Doc]]) -> list[Doc]:
        """Record (ticket as known, fields to set) pairs in the tickets' change logs, with the tickets
        locked by the caller; the tickets after, unwritten until their next checkpoint."""
        try:
            await self.changes.append_many(planned)
        except Exception:
            for current, _fields in planned:
                self._forget(str(current["_id"]))  # caught up again from the store when next read
            raise
        updated: list[Doc] = []
        for current, fields in planned:
            ticket_id = str(current["_id"])
            after = with_changes(current, [fields])
            self._note_unwritten(ticket_id, index_length(current), index_length(after))
            self._tickets.put(ticket_id, after)
            updated.append(after)
        return updated

    async def _begin_many(self, ticket_ids: Sequence[str]) -> None:
        if self.views is not None:
            await self.views.begin(ticket_ids)

    async def _show_many(self, tickets: Sequence[Doc], begun: Sequence[str]) -> dict[str, pb.Ticket]:
        """Show the tickets written; their protos by id (the `begun` ones not written are done)."""
        if self.views is None:
            return {}
        protos = await self.views.put_many(tickets)
        shown = {str(ticket["_id"]): proto for ticket, proto in zip(tickets, protos, strict=True)}
        for ticket_id in begun:
            if ticket_id not in shown:
                await self.views.done(ticket_id)
        return shown

    async def append_messages(
        self, ticket_id: str, message_ids: Sequence[str], event: TicketEvent | None = None
    ) -> None:
        """Add messages to the ticket's message index (once each, in this order), whatever its state;
        `event` joins its timeline when they were not all there yet (a ticket write then)."""
        async with self._locks.hold(ticket_id):
            if not self.single_writer:
                update: Doc = {"$addToSet": {MESSAGE_INDEX: {"$each": list(message_ids)}}}
                indexed: Doc = {"$exists": True}
                if event is not None:
                    update["$push"] = pushed_event(event)
                    indexed["$nin"] = list(message_ids)
                await self.tickets.update_one({"_id": ticket_id, MESSAGE_INDEX: indexed}, update)
                return
            current = await self.get_ticket(ticket_id)
            if current is None:
                return
            appended = await self._appended(current, message_ids)
            if event is None or not _event_applies(current, appended, message_ids):
                return
            await self._begin(ticket_id)
            fields = {EVENTS: timeline.record(appended.get(EVENTS), event), "updated_at": domain.utcnow()}
            [after] = await self._write_updates([(appended, fields)])
            await self._show(after)

    async def _begin(self, ticket_id: str) -> None:
        if self.views is not None:
            await self.views.begin([ticket_id])

    async def _show(self, ticket: Doc) -> None:
        if self.views is not None:
            await self.views.put(ticket)

    async def rebuild_views(self) -> int:
        """Every ticket of the store into the views (a scan of the whole collection; an active ticket
        caught up with its log first)."""
        assert self.views is not None
        return await self.views.rebuild(self._all_tickets())

    async def _all_tickets(self) -> AsyncIterator[Doc]:
        async for doc in self.tickets.find({}):
            if self.single_writer and doc.get("status") in ACTIVE_STATUS_NAMES:
                known, cached = self._tickets.get(doc["_id"])
                doc = cached if known and cached is not None else await self._caught_up(doc)
            yield doc

    async def repair_views(self) -> int:
        """Reload the tickets whose write may not have reached the views (a crash between the two)."""
        assert self.views is not None
        pending = await self.views.pending()
        for ticket_id in pending:
            doc = await self.get_ticket(ticket_id)
            if doc is None:
                await self.views.done(ticket_id)
            else:
                await self.views.put(doc)
        return len(pending)

    async def list_tickets(
        self, clauses: list[dict[str, Any]], after: tuple[int, str] | None, limit: int
    ) -> list[Doc]:
        """Tickets matching all `clauses`, newest activity first, after the cursor position (a scan of
        the store: the console's lists come from the read model in `views`, its search from the index).
        The single writer first writes every ticket whose logs its document lags, so the scan sees them
        as they are (a scan reads every ticket anyway)."""
        if self.single_writer:
            await self.write_checkpoints(everything=True)
        clauses = list(clauses)
        if after is not None:
            at = domain.from_millis(after[0])
            clauses.append(
                {"$or": [{"last_message_at": {"$lt": at}}, {"last_message_at": at, "_id": {"$lt": after[1]}}]}
            )
        found = self.tickets.find({"$and": clauses} if clauses else {}).sort(TICKET_ORDER).limit(limit)
        return [doc async for doc in found]

    # --- active tickets ----------------------------------------------------------------------------

    async def active_ticket_id(self, chat_id: int) -> str | None:
        entry = await self._active_entry(chat_id)
        return None if entry is None else str(entry["ticket_id"])

    async def _active_entry(self, chat_id: int) -> Doc | None:
        if self.single_writer:
            known, entry = self._active.get(chat_id)
            if known:
                return entry
        entry = await self.active.find_one({"_id": active_key(chat_id)})
        if self.single_writer:
            self._active.put(chat_id, entry)
        return entry

    async def claim_active(self, chat_id: int, ticket_id: str, now: datetime) -> bool:
        """Make `ticket_id` the chat's active ticket; False when the chat has one already."""
        entry = {"_id": active_key(chat_id), "chat_id": chat_id, "ticket_id": ticket_id, "created_at": now}
        try:
            await self.active.insert_one(dict(entry))
        except DuplicateKeyError:
            self._active.forget(chat_id)
            return False
        if self.single_writer:
            self._active.put(chat_id, entry)
        return True

    async def release_active(self, chat_id: int, ticket_id: str) -> None:
        """Forget the chat's active ticket, but only if it still is `ticket_id`."""
        if not self.single_writer:
            await self.active.delete_one({"_id": active_key(chat_id), "ticket_id": ticket_id})
            return
        async with self._locks.hold(f"chat:{chat_id}"):
            entry = await self._active_entry(chat_id)
            if entry is None or entry.get("ticket_id") != ticket_id:
                return
            self._active.forget(chat_id)
            await self.active.delete_one({"_id": active_key(chat_id)})
            self._active.put(chat_id, None)

    async def migrate_active_keys(self) -> int:
        """Entries stored under the numeric chat id (before `active_key`) again under their string key.
        One scan, at the first start of a version that has this; FerretDB finds a numeric _id only by
        reading the whole collection (16 s at start with a few hundred thousand entries), and nothing
        writes a numeric key any more, so later starts skip it."""
        if await self.migrations.find_one({"_id": ACTIVE_KEYS_MIGRATION}) is not None:
            return 0
        moved = 0
        async for entry in self.active.find({"_id": {"$type": ["int", "long"]}}):
            chat_id = int(entry["_id"])
            with contextlib.suppress(DuplicateKeyError):  # a newer entry under the string key wins
                await self.active.insert_one({**entry, "_id": active_key(chat_id), "chat_id": chat_id})
            await self.active.delete_one({"_id": entry["_id"]})
            self._active.forget(chat_id)
            moved += 1
        with contextlib.suppress(DuplicateKeyError):
            await self.migrations.insert_one(
                {"_id": ACTIVE_KEYS_MIGRATION, "done_at": domain.utcnow(), "moved": moved}
            )
        return moved

    # --- messages ----------------------------------------------------------------------------------

    async def get_message(self, message_id: str) -> Doc | None:
        return await self.messages.find_one({"_id": message_id})

    async def insert_message(self, doc: Doc) -> bool:
        """Store a new message; False when a message with its id exists already."""
        try:
            await self.messages.insert_one(doc)
        except DuplicateKeyError:
            return False
        return True

    async def insert_messages(self, docs: Sequence[Doc]) -> set[str]:
        """Store new messages in one write; returns the ids of those that were stored already."""
        return await _insert_new(self.messages, docs)

    async def update_message(
        self, message_id: str, changes: Mapping[str, Any], condition: Mapping[str, Any] | None = None
    ) -> Doc | None:
        """Apply `changes` ($set) when the message matches `condition`; the message after, or None."""
        async with self._locks.hold(f"message:{message_id}"):
            if not self.single_writer:
                return await self.messages.find_one_and_update(
                    {"_id": message_id, **(condition or {})},
                    {"$set": dict(changes)},
                    return_document=ReturnDocument.AFTER,
                )
            current = await self.get_message(message_id)
            if current is None or not matches(current, condition):
                return None
            result = await self.messages.update_one({"_id": message_id}, {"$set": dict(changes)})
            if result.matched_count == 0:
                return None
            return await self.get_message(message_id)

    async def apply_edit(
        self, message_id: str, changes: Mapping[str, Any], edited_at: datetime
    ) -> Doc | None:
        """Apply a customer's edit unless a later edit is stored already (then None)."""
        return await self.update_message(
            message_id,
            {**changes, "edited": True, "edited_at": edited_at},
            {"$or": [{"edited_at": None}, {"edited_at": {"$lte": edited_at}}]},
        )

    async def list_messages(
        self,
        ticket_id: str,
        include_internal: bool,
        after: tuple[int, str] | None,
        limit: int,
        *,
        newest_first: bool = False,
        direction: str | None = None,
    ) -> tuple[list[Doc], tuple[int, str] | None]:
        """A page of the ticket's messages, oldest first, and where the next page starts (None: no more);
        with `direction`, only the messages written by that side. Reads the ticket's message index and
        each message by _id; a ticket written before the index existed is read with a scan of the
        collection."""
        ticket = await self.get_ticket(ticket_id)
        if ticket is None or MESSAGE_INDEX not in ticket:
            return await self._scan_messages(
                ticket_id, include_internal, after, limit, newest_first, direction
            )
        length = index_length(ticket)
        step = -1 if newest_first else 1
        position = await self._start(ticket, length, after, newest_first)
        page: list[Doc] = []
        while 0 <= position < length and len(page) < limit:
            want = limit - len(page) + 8
            if direction is not None:  # most of a long history may be the other side's: read more at once
                want = max(want, 64)
            low, high = (
                (max(position - want + 1, 0), position + 1) if newest_first else (position, position + want)
            )
            chunk = (await self.log.ids_between(ticket, low, high))[::step]
            docs = await asyncio.gather(*(self.get_message(message_id) for message_id in chunk))
            for doc in docs:
                position += step
                if (
                    doc is not None
                    and (include_internal or not doc.get("internal"))
                    and (direction is None or doc.get("direction") == direction)
                ):
                    page.append(doc)
                    if len(page) == limit:
                        break
        more = 0 <= position < length
        last_taken = position - step
        cursor = (last_taken, str(page[-1]["_id"])) if more and page else None
        return (page[::-1] if newest_first else page), cursor

    async def _start(
        self, ticket: Doc, length: int, after: tuple[int, str] | None, newest_first: bool
    ) -> int:
        """Where a page begins in the index: after the cursor's message (looked for if it moved)."""
        if after is None:
            return length - 1 if newest_first else 0
        position, message_id = after
        if not (
            0 <= position < length
            and await self.log.ids_between(ticket, position, position + 1) == [message_id]
        ):
            ids = await self.log.ids_between(ticket, 0, length)
            position = ids.index(message_id) if message_id in ids else -1
        if position < 0:
            return -1
        return position - 1 if newest_first else position + 1

    async def _scan_messages(
        self,
        ticket_id: str,
        include_internal: bool,
        after: tuple[int, str] | None,
        limit: int,
        newest_first: bool,
        direction: str | None = None,
    ) -> tuple[list[Doc], tuple[int, str] | None]:
        query: dict[str, Any] = {"ticket_id": ticket_id}
        if not include_internal:
            query["internal"] = False
        if direction is not None:
            query["direction"] = direction
        beyond = "$lt" if newest_first else "$gt"
        if after is not None:
            query["$or"] = [{"seq": {beyond: after[0]}}, {"seq": after[0], "_id": {beyond: after[1]}}]
        order = [(field, -direction if newest_first else direction) for field, direction in MESSAGE_ORDER]
        found = [doc async for doc in self.messages.find(query).sort(order).limit(limit + 1)]
        page = found[:limit]
        cursor = (int(page[-1]["seq"]), str(page[-1]["_id"])) if len(found) > limit else None
        return (page[::-1] if newest_first else page), cursor


ACTIVE_STATUS_NAMES = frozenset(str(status) for status in domain.ACTIVE_STATUSES)


async def _insert_new(collection: Any, docs: Sequence[Doc]) -> set[str]:
    """Insert `docs` in one write; the ids of those that existed already (left unchanged)."""
    if not docs:
        return set()
    try:
        await collection.insert_many([dict(doc) for doc in docs], ordered=False)
    except BulkWriteError as error:
        errors = error.details.get("writeErrors", [])
        if any(item.get("code") != DUPLICATE_KEY for item in errors):
            raise
        return {str(docs[int(item["index"])]["_id"]) for item in errors}
    return set()


def _event_applies(before: Mapping[str, Any], after: Mapping[str, Any], message_ids: Sequence[str]) -> bool:
    """Whether a change that adds `message_ids` to the ticket's index records its event: when it added
    one (or the ticket has no index to tell)."""
    return not message_ids or MESSAGE_INDEX not in before or index_length(after) > index_length(before)


def pushed_event(event: TicketEvent) -> Doc:
    """MongoDB's $push of an event onto the ticket's timeline, the newest EVENTS_LIMIT kept."""
    return {EVENTS: {"$each": [event.to_doc()], "$slice": -EVENTS_LIMIT}}


def _loggable(current: Mapping[str, Any], fields: Mapping[str, Any]) -> bool:
    return current.get("status") in ACTIVE_STATUS_NAMES and set(fields) <= LOGGABLE_FIELDS


def active_key(chat_id: int) -> str:
    """The _id of a chat's active-ticket entry: a string, because FerretDB looks up only a string or
    ObjectId _id through its index (a numeric one reads the whole collection)."""
    return str(chat_id)


def missing(ticket: Mapping[str, Any], defaults: Mapping[str, Any], changes: Mapping[str, Any]) -> Doc:
    """The `defaults` the ticket has no value for (None or missing) and `changes` do not set."""
    return {
        name: value for name, value in defaults.items() if ticket.get(name) is None and name not in changes
    }


def message_time(message: Mapping[str, Any]) -> datetime:
    """When a message reached the ticket: when it was stored (a customer's), else when written."""
    moment: datetime = message.get("stored_at") or message["created_at"]
    return moment


def last_message_fields(message: Mapping[str, Any]) -> Doc:
    """What a ticket shows of `message` as its last one."""
    return {
        "last_message_at": message_time(message),
        "last_message_preview": domain.preview(
            str(message.get("text", "")), convert.attachment_kinds(message)
        ),
        "last_message_id": message["_id"],
    }
