"""Building event messages: every event gets a fresh event_id and occurred_at."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any, TypeVar

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

EventT = TypeVar("EventT", bound=Message)


def timestamp(moment: datetime | None = None) -> Timestamp:
    stamp = Timestamp()
    stamp.FromDatetime(moment or datetime.now(UTC))
    return stamp


def to_datetime(stamp: Timestamp) -> datetime:
    return stamp.ToDatetime(tzinfo=UTC)


def new_event(event_type: type[EventT], **fields: Any) -> EventT:
    """An event of `event_type` with a new event_id and occurred_at = now, plus the given fields."""
    return event_type(event_id=str(uuid.uuid4()), occurred_at=timestamp(), **fields)
