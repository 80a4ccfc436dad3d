"""A ticket's message index as the single writer keeps it: append-only entries, one per message.

A ticket document holds the ids of its first messages (`message_ids`, written when it is opened) and
`entry_count`, how long its index was when the document was last written (its checkpoint). Every later
message of the ticket is one small document in `ticket_entries`, `_id` = "<ticket id>:<position>", so
appending a message is an insert and never a rewrite of the ticket: on FerretDB v1 an insert costs
~0.02 ms of its CPU and a ticket update ~0.7 ms (docs/decisions.md).

The entries after the checkpoint are the ticket's log: whoever loads a ticket reads its entries from
`entry_count` on until the first missing position ("catching up"), so the document plus its log is
always the whole truth, whether or not the checkpoint was written before a crash. The version of a
ticket grows by one per entry, so a ticket caught up after a crash has the version it had before."""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from typing import Any

from services.message_saver.convert import Doc, index_length

ENTRIES = "ticket_entries"
MESSAGE_INDEX = "message_ids"  # the first messages' ids, in the ticket document
ENTRY_COUNT = "entry_count"  # the index's length when the ticket document was written


def entry_id(ticket_id: str, position: int) -> str:
    return f"{ticket_id}:{position:08d}"


def prefix_of(ticket: Mapping[str, Any]) -> list[str]:
    return [str(message_id) for message_id in ticket.get(MESSAGE_INDEX) or []]


class TicketLog:
    def __init__(self, collection: Any, cache_size: int) -> None:
        self.entries = collection
        self._size = cache_size
        self._known: OrderedDict[str, dict[int, str]] = OrderedDict()  # ticket -> position -> message

    def forget(self, ticket_id: str) -> None:
        self._known.pop(ticket_id, None)

    async def tail(self, ticket: Mapping[str, Any]) -> list[str]:
        """The message ids of the entries after the ticket's checkpoint (its log), in order."""
        ticket_id = str(ticket["_id"])
        position = index_length(ticket)
        found: list[str] = []
        while True:
            entry = await self.entries.find_one({"_id": entry_id(ticket_id, position)})
            if entry is None:
                break
            found.append(str(entry["message_id"]))
            self._remember(ticket_id, {position: found[-1]})
            position += 1
        return found

    async def ids_between(self, ticket: Mapping[str, Any], start: int, stop: int) -> list[str]:
        """The message ids at positions [start, stop) of the ticket's index."""
        ticket_id = str(ticket["_id"])
        prefix = prefix_of(ticket)
        stop = min(stop, index_length(ticket))
        head = prefix[start:stop]
        first_entry = max(start, len(prefix))
        if first_entry >= stop:
            return head
        known = self._known.get(ticket_id, {})
        missing = [position for position in range(first_entry, stop) if position not in known]
        if missing:
            entries = await asyncio.gather(
                *(self.entries.find_one({"_id": entry_id(ticket_id, position)}) for position in missing)
            )
            loaded = {
                position: str(entry["message_id"])
                for position, entry in zip(missing, entries, strict=True)
                if entry is not None
            }
            self._remember(ticket_id, loaded)
            known = {**known, **loaded}
        return head + [known[position] for position in range(first_entry, stop) if position in known]

    async def append_many(
        self, appends: Sequence[tuple[Mapping[str, Any], Sequence[str]]]
    ) -> list[list[str]]:
        """Add each (ticket, message ids) pair's ids not yet in that ticket's index, after its last
        position, in one ordered insert; the ids added per pair. A ticket appears at most once."""
        added: list[list[str]] = []
        placed: list[tuple[str, dict[int, str]]] = []
        for ticket, message_ids in appends:
            ticket_id, start = str(ticket["_id"]), index_length(ticket)
            known = set(await self.ids_between(ticket, 0, start))
            new = [message_id for message_id in dict.fromkeys(message_ids) if message_id not in known]
            placed.append((ticket_id, {start + offset: message_id for offset, message_id in enumerate(new)}))
            added.append(new)
        docs: list[Doc] = [
            {"_id": entry_id(ticket_id, position), "message_id": message_id}
            for ticket_id, positions in placed
            for position, message_id in positions.items()
        ]
        if docs:
            # Ordered: a failure stops at the first entry not written, so a log never has a gap.
            await self.entries.insert_many(docs, ordered=True)
        for ticket_id, positions in placed:
            self._remember(ticket_id, positions)
        return added

    def _remember(self, ticket_id: str, positions: Mapping[int, str]) -> None:
        if not positions:
            return
        known = self._known.setdefault(ticket_id, {})
        known.update(positions)
        self._known.move_to_end(ticket_id)
        if len(self._known) > self._size:
            self._known.popitem(last=False)


# --- field changes ---------------------------------------------------------------------------------
# A change of a few fields the single writer may record without rewriting the ticket (a generated title
# and category: one per new ticket). Each is one document in `ticket_changes`, `_id` = "<ticket id>~<n>",
# n counting from the ticket's `change_count` (written with its checkpoint); catching up applies the
# entries from there on, in order, like the message log.

CHANGES = "ticket_changes"
CHANGE_COUNT = "change_count"


def change_id(ticket_id: str, position: int) -> str:
    return f"{ticket_id}~{position:06d}"


def change_count(ticket: Mapping[str, Any]) -> int:
    return int(ticket.get(CHANGE_COUNT, 0))


class ChangeLog:
    def __init__(self, collection: Any) -> None:
        self.entries = collection

    async def tail(self, ticket: Mapping[str, Any]) -> list[Doc]:
        """The field changes recorded after the ticket's checkpoint, oldest first."""
        ticket_id, position = str(ticket["_id"]), change_count(ticket)
        found: list[Doc] = []
        while (entry := await self.entries.find_one({"_id": change_id(ticket_id, position)})) is not None:
            found.append(dict(entry["fields"]))
            position += 1
        return found

    async def append_many(self, changes: Sequence[tuple[Mapping[str, Any], Doc]]) -> None:
        """Record each (ticket as known, fields) after that ticket's last change, in one ordered insert
        (a failure stops at the first entry not written, so no ticket's changes have a gap). A ticket
        appears at most once."""
        docs: list[Doc] = [
            {"_id": change_id(str(ticket["_id"]), change_count(ticket)), "fields": dict(fields)}
            for ticket, fields in changes
        ]
        if docs:
            await self.entries.insert_many(docs, ordered=True)


def with_changes(ticket: Mapping[str, Any], changes: Sequence[Doc]) -> Doc:
    """The ticket after its logged field changes: one version and one position per change."""
    after = dict(ticket)
    for fields in changes:
        after.update(fields)
    after[CHANGE_COUNT] = change_count(ticket) + len(changes)
    after["version"] = int(ticket.get("version", 0)) + len(changes)
    return after
