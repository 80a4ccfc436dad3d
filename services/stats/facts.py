"""What stats knows of each ticket and its review, merged from events that may come twice or out of order.

Every merge is order-independent and idempotent: a ticket's lifecycle fields come from the snapshot with
the latest `updated_at` (the event id breaks ties), first times are minimums, the message count is the
largest a snapshot showed (message_saver's count only grows), and a ticket's review is the one with the
latest `rated_at`. Applying the same events in any order, any
number of times, gives the same facts."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime


@dataclass(frozen=True)
class TicketSnapshot:
    """A ticket as one event showed it."""

    ticket_id: str
    updated_at: datetime
    event_id: str
    created_at: datetime | None
    closed_at: datetime | None
    operator_id: str
    category: str
    message_count: int = 0


@dataclass(frozen=True)
class MessageFact:
    """A message of a ticket: who wrote it and when (operators' internal notes are not replies)."""

    ticket_id: str
    message_id: str
    created_at: datetime
    from_customer: bool
    internal: bool = False


@dataclass(frozen=True)
class Review:
    ticket_id: str
    event_id: str
    operator_id: str
    score: int
    comment: str
    rated_at: datetime

    def replaces(self, other: Review | None) -> bool:
        return other is None or (self.rated_at, self.event_id) > (other.rated_at, other.event_id)


@dataclass(frozen=True)
class TicketFacts:
    ticket_id: str
    snapshot_at: datetime | None = None  # updated_at of the snapshot the lifecycle fields come from
    snapshot_event: str = ""
    created_at: datetime | None = None
    closed_at: datetime | None = None
    operator_id: str = ""
    category: str = ""
    first_customer_at: datetime | None = None
    first_reply_at: datetime | None = None
    message_count: int = 0
    review: Review | None = None

    def durable(self) -> tuple[object, ...]:
        """What must survive a restart. The newest snapshot's time and a growing message count of an
        open ticket may be lost: a snapshot that changed nothing else cannot be undone by an older one,
        and the count that counts is the one at the close, which changes `closed_at` too."""
        count = self.message_count if self.closed_at is not None else None
        return (
            self.created_at,
            self.closed_at,
            self.operator_id,
            self.category,
            self.first_customer_at,
            self.first_reply_at,
            count,
            self.review,
        )

    @property
    def first_response_s(self) -> float | None:
        """From the customer's first message (or the ticket's creation) to the first operator reply."""
        start = self.first_customer_at or self.created_at
        if start is None or self.first_reply_at is None:
            return None
        return max(0.0, (self.first_reply_at - start).total_seconds())

    @property
    def resolution_s(self) -> float | None:
        if self.created_at is None or self.closed_at is None:
            return None
        return max(0.0, (self.closed_at - self.created_at).total_seconds())

    def with_snapshot(self, snapshot: TicketSnapshot) -> TicketFacts:
        created_at = _earliest(self.created_at, snapshot.created_at)
        count = max(self.message_count, snapshot.message_count)
        if self.snapshot_at is not None and (snapshot.updated_at, snapshot.event_id) <= (
            self.snapshot_at,
            self.snapshot_event,
        ):
            return replace(self, created_at=created_at, message_count=count)
        return replace(
            self,
            snapshot_at=snapshot.updated_at,
            snapshot_event=snapshot.event_id,
            created_at=created_at,
            closed_at=snapshot.closed_at,
            operator_id=snapshot.operator_id,
            category=snapshot.category,
            message_count=count,
        )

    def with_message(self, message: MessageFact) -> TicketFacts:
        """The customer's first message and the first operator reply (an internal note is not one)."""
        if message.internal:
            return self
        if message.from_customer:
            return replace(self, first_customer_at=_earliest(self.first_customer_at, message.created_at))
        return replace(self, first_reply_at=_earliest(self.first_reply_at, message.created_at))

    def with_review(self, review: Review) -> TicketFacts:
        return replace(self, review=review) if review.replaces(self.review) else self


def _earliest(current: datetime | None, candidate: datetime | None) -> datetime | None:
    if current is None:
        return candidate
    if candidate is None:
        return current
    return min(current, candidate)
