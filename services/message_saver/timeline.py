"""A ticket's timeline: who did what and when (opened, taken, assigned, replied, closed). Pure rules, no I/O.

Stored as a bounded array `events` in the ticket document, not as documents of their own: every change
it records (a take, an assignment, a reply, a close) already writes the ticket, so the entry rides in the
same conditional write (atomic with the change, no extra write on FerretDB) and is read with the ticket
(by `_id`, usually from memory). Consecutive replies of one operator fold into one entry, so the array
grows only when who acts changes; past `EVENTS_LIMIT` the oldest entries are dropped (what the ticket's
fields still tell, like its opening, is derived again when read)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum
from typing import Any

EVENTS = "events"  # the ticket document's field
EVENTS_LIMIT = 100


class Kind(StrEnum):
    OPENED = "opened"
    TAKEN = "taken"
    ASSIGNED = "assigned"
    REPLIED = "replied"
    CLOSED = "closed"


@dataclass(frozen=True)
class TicketEvent:
    kind: Kind
    at: datetime
    actor_id: str = ""
    target_id: str = ""
    count: int = 1
    last_at: datetime | None = None  # the last of folded replies

    def to_doc(self) -> dict[str, Any]:
        doc: dict[str, Any] = {"kind": str(self.kind), "at": self.at}
        if self.actor_id:
            doc["actor"] = self.actor_id
        if self.target_id:
            doc["target"] = self.target_id
        if self.kind == Kind.REPLIED:
            doc["count"] = self.count
            doc["last_at"] = self.last_at or self.at
        return doc

    @classmethod
    def from_doc(cls, doc: Mapping[str, Any]) -> TicketEvent | None:
        """The stored entry; None for a kind this version does not know."""
        try:
            kind = Kind(str(doc.get("kind")))
        except ValueError:
            return None
        return cls(
            kind=kind,
            at=doc["at"],
            actor_id=str(doc.get("actor") or ""),
            target_id=str(doc.get("target") or ""),
            count=max(int(doc.get("count") or 1), 1),
            last_at=doc.get("last_at"),
        )


def opened(at: datetime) -> TicketEvent:
    return TicketEvent(Kind.OPENED, at)


def taken(by: str, at: datetime) -> TicketEvent:
    return TicketEvent(Kind.TAKEN, at, actor_id=by)


def assigned(by: str, to: str, at: datetime) -> TicketEvent:
    return TicketEvent(Kind.ASSIGNED, at, actor_id=by, target_id=to)


def replied(by: str, at: datetime) -> TicketEvent:
    return TicketEvent(Kind.REPLIED, at, actor_id=by, last_at=at)


def closed(by: str, at: datetime) -> TicketEvent:
    return TicketEvent(Kind.CLOSED, at, actor_id=by)


def merged(before: TicketEvent, after: TicketEvent) -> TicketEvent | None:
    """`before` and `after` as one entry when they are replies of one operator in a row, else None."""
    if before.kind != Kind.REPLIED or after.kind != Kind.REPLIED or before.actor_id != after.actor_id:
        return None
    return replace(
        before,
        count=before.count + after.count,
        last_at=max(before.last_at or before.at, after.last_at or after.at),
    )


def fold(events: Sequence[TicketEvent]) -> list[TicketEvent]:
    """Consecutive replies of one operator as one entry (MongoDB's writers push every reply alone)."""
    folded: list[TicketEvent] = []
    for event in events:
        joined = merged(folded[-1], event) if folded else None
        if joined is None:
            folded.append(event)
        else:
            folded[-1] = joined
    return folded


def record(stored: Sequence[Mapping[str, Any]] | None, event: TicketEvent) -> list[dict[str, Any]]:
    """The stored entries with `event` added (folded into the last one when it continues its replies),
    at most EVENTS_LIMIT of them, the newest kept."""
    entries = [dict(entry) for entry in stored or []]
    last = TicketEvent.from_doc(entries[-1]) if entries else None
    joined = merged(last, event) if last is not None else None
    if joined is not None:
        entries[-1] = joined.to_doc()
    else:
        entries.append(event.to_doc())
    return entries[-EVENTS_LIMIT:]


def timeline_of(ticket: Mapping[str, Any]) -> list[TicketEvent]:
    """The ticket's timeline, oldest first: its stored entries folded, and what its fields tell of the
    rest (tickets stored before entries were recorded, or whose oldest entries were dropped): opened at
    `created_at`, closed at `closed_at` by `closed_by`."""
    events = [
        event
        for event in (TicketEvent.from_doc(entry) for entry in ticket.get(EVENTS) or [])
        if event is not None
    ]
    events = fold(events)
    created_at = ticket.get("created_at")
    if created_at is not None and not any(event.kind == Kind.OPENED for event in events):
        events.insert(0, opened(created_at))
    closed_at = ticket.get("closed_at")
    if (
        ticket.get("status") == "closed"
        and closed_at is not None
        and not any(event.kind == Kind.CLOSED for event in events)
    ):
        events.append(closed(str(ticket.get("closed_by") or ""), closed_at))
    return events
