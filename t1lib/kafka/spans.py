"""Spans of Kafka records, after OpenTelemetry's messaging semantic conventions: `send <topic>` (producer)
and `process <topic>` (consumer), the consumer's parented to the record's `traceparent` header."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext

from google.protobuf.message import Message
from opentelemetry.context import Context
from opentelemetry.trace import Link, Span, SpanKind

from t1lib import tracing
from t1lib.telemetry import tracer

SYSTEM = "kafka"


def send_span(topic: str, count: int) -> AbstractContextManager[Span | None]:
    """The span of handing `count` records of `topic` to the broker (nothing when tracing is off)."""
    if not tracing.enabled():
        return nullcontext()
    return tracer(__name__).start_as_current_span(
        f"send {topic}",
        kind=SpanKind.PRODUCER,
        attributes={
            "messaging.system": SYSTEM,
            "messaging.operation.type": "send",
            "messaging.operation.name": "send",
            "messaging.destination.name": topic,
            "messaging.batch.message_count": count,
        },
    )


def _process_attributes(
    topic: str, group: str, partition: int | None, offset: int | None, key: str | None, count: int
) -> dict[str, str | int]:
    attributes: dict[str, str | int] = {
        "messaging.system": SYSTEM,
        "messaging.operation.type": "process",
        "messaging.operation.name": "process",
        "messaging.destination.name": topic,
        "messaging.consumer.group.name": group,
    }
    if count != 1:
        attributes["messaging.batch.message_count"] = count
    if partition is not None:
        attributes["messaging.destination.partition.id"] = str(partition)
    if offset is not None:
        attributes["messaging.kafka.offset"] = offset
    if key is not None:
        attributes["messaging.kafka.message.key"] = key
    return attributes


def process_span(
    topic: str,
    group: str,
    parent: Context | None,
    *,
    partition: int | None = None,
    offset: int | None = None,
    key: str | None = None,
    count: int = 1,
    links: Sequence[Link] = (),
) -> AbstractContextManager[Span]:
    """The span of handling records (made current)."""
    return tracer(__name__).start_as_current_span(
        f"process {topic}",
        context=parent,
        kind=SpanKind.CONSUMER,
        attributes=_process_attributes(topic, group, partition, offset, key, count),
        links=links,
    )


def record_span(topic: str, group: str, parent: Context, *, partition: int, offset: int, batch: Span) -> Span:
    """A record's own span inside a batch, in the record's trace and linked with the batch's (not made
    current: the caller ends it)."""
    return tracer(__name__).start_span(
        f"process {topic}",
        context=parent,
        kind=SpanKind.CONSUMER,
        attributes=_process_attributes(topic, group, partition, offset, None, 1),
        links=[Link(batch.get_span_context())],
    )


def runs(
    events: Sequence[Message], causes: Sequence[Context | None] | None
) -> Iterator[tuple[Context | None, Sequence[Message]]]:
    """Consecutive events that share a cause (the context of the record whose handling made them)."""
    if causes is None:
        yield None, events
        return
    if len(causes) != len(events):
        raise ValueError(f"{len(causes)} causes for {len(events)} events")
    start = 0
    for index in range(1, len(events) + 1):
        if index == len(events) or causes[index] is not causes[start]:
            yield causes[start], events[start:index]
            start = index
