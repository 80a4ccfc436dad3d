"""MongoDB access. Collections: `tickets`, `messages`, `active_tickets` (_id = customer chat id ->
the chat's one non-closed ticket). No transactions, so it runs on FerretDB v1 and MongoDB 7 alike.

Every change of a ticket is one conditional update (atomic on MongoDB). FerretDB v1 runs an update as
read, modify, write back without isolation: two concurrent updates of one document both "match" their
condition and one overwrites the other (measured: 28 of 30 concurrent conditional takes both won; 25 of 30
updates of different fields lost one). So writes of one ticket are also serialized in-process
(`TicketLocks`); on FerretDB run a single message_saver instance. Inserts against a unique index and
deletes are atomic on both stores and need no lock."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Mapping
from contextlib import asynccontextmanager
from datetime import datetime
from typing import Any

from pymongo import ASCENDING, DESCENDING, ReturnDocument
from pymongo.asynchronous.database import AsyncDatabase
from pymongo.errors import DuplicateKeyError

from services.message_saver import domain
from services.message_saver.convert import Doc

TICKETS = "tickets"
MESSAGES = "messages"
ACTIVE_TICKETS = "active_tickets"

TICKET_ORDER = [("last_message_at", DESCENDING), ("_id", DESCENDING)]
MESSAGE_ORDER = [("seq", ASCENDING), ("_id", ASCENDING)]


class TicketLocks:
    """One asyncio.Lock per ticket id while anyone holds or waits for it."""

    def __init__(self) -> None:
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    @asynccontextmanager
    async def hold(self, ticket_id: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(ticket_id, (asyncio.Lock(), 0))
        self._locks[ticket_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[ticket_id]
            if users == 1:
                del self._locks[ticket_id]
            else:
                self._locks[ticket_id] = (lock, users - 1)


class Repository:
    def __init__(self, database: AsyncDatabase[Doc]) -> None:
        self.tickets = database[TICKETS]
        self.messages = database[MESSAGES]
        self.active = database[ACTIVE_TICKETS]
        self._locks = TicketLocks()

    async def create_indexes(self) -> None:
        await self.tickets.create_index(TICKET_ORDER)
        await self.tickets.create_index([("status", ASCENDING), *TICKET_ORDER])
        await self.tickets.create_index([("assignee_id", ASCENDING), *TICKET_ORDER])
        await self.tickets.create_index([("chat_id", ASCENDING), ("created_at", DESCENDING)])
        await self.messages.create_index([("ticket_id", ASCENDING), *MESSAGE_ORDER])
        await self.active.create_index([("ticket_id", ASCENDING)])

    # --- tickets -----------------------------------------------------------------------------------

    async def get_ticket(self, ticket_id: str) -> Doc | None:
        return await self.tickets.find_one({"_id": ticket_id})

    async def insert_ticket_if_absent(self, doc: Doc) -> Doc:
        """The ticket with doc's _id: created from `doc` unless it exists (then left unchanged)."""
        fields = {key: value for key, value in doc.items() if key != "_id"}
        async with self._locks.hold(str(doc["_id"])):
            created = await self.tickets.find_one_and_update(
                {"_id": doc["_id"]},
                {"$setOnInsert": fields},
                upsert=True,
                return_document=ReturnDocument.AFTER,
            )
        assert created is not None  # upsert always returns a document
        return created

    async def update_ticket(
        self,
        ticket_id: str,
        changes: Mapping[str, Any],
        now: datetime,
        condition: Mapping[str, Any] | None = None,
    ) -> Doc | None:
        """Apply `changes` ($set) when the ticket matches `condition`; bump version and updated_at.
        Returns the ticket after the change, or None when nothing matched."""
        async with self._locks.hold(ticket_id):
            return await self.tickets.find_one_and_update(
                {"_id": ticket_id, **(condition or {})},
                {"$set": {**changes, "updated_at": now}, "$inc": {"version": 1}},
                return_document=ReturnDocument.AFTER,
            )

    async def list_tickets(
        self, clauses: list[dict[str, Any]], after: tuple[int, str] | None, limit: int
    ) -> list[Doc]:
        """Tickets matching all `clauses`, newest activity first, after the cursor position."""
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
        entry = await self.active.find_one({"_id": chat_id})
        return None if entry is None else str(entry["ticket_id"])

    async def claim_active(self, chat_id: int, ticket_id: str, now: datetime) -> bool:
        """Make `ticket_id` the chat's active ticket; False when the chat has one already."""
        try:
            await self.active.insert_one({"_id": chat_id, "ticket_id": ticket_id, "created_at": now})
        except DuplicateKeyError:
            return False
        return True

    async def release_active(self, chat_id: int, ticket_id: str) -> None:
        """Forget the chat's active ticket, but only if it still is `ticket_id`."""
        await self.active.delete_one({"_id": chat_id, "ticket_id": ticket_id})

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

    async def apply_edit(
        self, message_id: str, changes: Mapping[str, Any], edited_at: datetime
    ) -> Doc | None:
        """Apply a customer's edit unless a later edit is stored already (then None)."""
        return await self.messages.find_one_and_update(
            {"_id": message_id, "$or": [{"edited_at": None}, {"edited_at": {"$lte": edited_at}}]},
            {"$set": {**changes, "edited": True, "edited_at": edited_at}},
            return_document=ReturnDocument.AFTER,
        )

    async def list_messages(
        self, ticket_id: str, include_internal: bool, after: tuple[int, str] | None, limit: int
    ) -> list[Doc]:
        query: dict[str, Any] = {"ticket_id": ticket_id}
        if not include_internal:
            query["internal"] = False
        if after is not None:
            query["$or"] = [{"seq": {"$gt": after[0]}}, {"seq": after[0], "_id": {"$gt": after[1]}}]
        found = self.messages.find(query).sort(MESSAGE_ORDER).limit(limit)
        return [doc async for doc in found]
