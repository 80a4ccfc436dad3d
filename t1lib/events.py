"""Building event messages: every event gets a fresh event_id and occurred_at."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from google.protobuf.message import Message
from google.protobuf.timestamp_pb2 import Timestamp

EventT = TypeVar("EventT", bound=Message)


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_NAIVE_EPOCH = datetime(1970, 1, 1)


# Timestamp.FromDatetime/ToDatetime go through time tuples and cost several microseconds; these run a few
# times for every event on the data path, so they use datetime arithmetic (same results, to the microsecond).
def timestamp(moment: datetime | None = None) -> Timestamp:
    """`moment` (naive means UTC, as stored dates are) or now, to the microsecond."""
    if moment is None:
        now_us = time.time_ns() // 1000
        return Timestamp(seconds=now_us // 1_000_000, nanos=now_us % 1_000_000 * 1000)
    delta = moment - (_NAIVE_EPOCH if moment.tzinfo is None else _EPOCH)
    return Timestamp(seconds=delta.days * 86_400 + delta.seconds, nanos=delta.microseconds * 1000)


def to_datetime(stamp: Timestamp) -> datetime:
    """An aware UTC datetime; nanoseconds are truncated to microseconds."""
    return _EPOCH + timedelta(0, stamp.seconds, stamp.nanos // 1000)


def new_event(event_type: type[EventT], **fields: Any) -> EventT:
    """An event of `event_type` with a new event_id and occurred_at = now, plus the given fields."""
    return event_type(event_id=str(uuid.uuid4()), occurred_at=timestamp(), **fields)
