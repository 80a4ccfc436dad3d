"""Encoding events to Kafka records and back. Headers carry the proto type and the trace context."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

from google.protobuf.message import DecodeError, Message
from opentelemetry import propagate

from t1lib.kafka.topics import REGISTRY, TopicRegistry

HEADER_TYPE = "proto-type"
HEADER_CONTENT_TYPE = "content-type"
HEADER_EVENT_ID = "event-id"
CONTENT_TYPE = "application/x-protobuf"
_CONTENT_TYPE_BYTES = CONTENT_TYPE.encode()

Headers = list[tuple[str, str | bytes | None]]
RecordHeaders = Mapping[str, str | bytes | None] | Headers | None


class UndecodableMessageError(ValueError):
    """A record that cannot become its topic's event type; it belongs in the dead-letter topic."""


class EncodedEvent(NamedTuple):
    topic: str
    key: bytes
    value: bytes
    headers: Headers


def encode(event: Message, registry: TopicRegistry = REGISTRY) -> EncodedEvent:
    (record,) = encode_many([event], registry)
    return record


def trace_headers() -> Headers:
    """The current trace context as record headers (W3C traceparent/tracestate)."""
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return [(name, value.encode()) for name, value in carrier.items()]


def encode_many(
    events: Sequence[Message], registry: TopicRegistry = REGISTRY, traced: Headers | None = None
) -> list[EncodedEvent]:
    """The events as records, each with `traced` headers (by default the current trace context, taken
    once for them all)."""
    context_headers = trace_headers() if traced is None else traced
    records: list[EncodedEvent] = []
    for event in events:
        spec = registry.for_message(event)
        event_id = str(getattr(event, "event_id", ""))
        if not event_id:
            raise ValueError(f"{spec.type_name}.event_id is empty; build events with t1lib.events.new_event")
        headers: Headers = [
            (HEADER_TYPE, spec.type_name.encode()),
            (HEADER_CONTENT_TYPE, _CONTENT_TYPE_BYTES),
            (HEADER_EVENT_ID, event_id.encode()),
            *context_headers,
        ]
        key = spec.key_of(event).encode()
        records.append(EncodedEvent(spec.name, key, event.SerializeToString(), headers))
    return records


def headers_dict(headers: RecordHeaders) -> dict[str, str]:
    items = headers.items() if isinstance(headers, Mapping) else headers or []
    return {name: _text(value) for name, value in items}


def header_value(headers: RecordHeaders, name: str) -> str | None:
    """One header's value as text (the last one when repeated), without decoding the others."""
    if type(headers) is not list and isinstance(headers, Mapping):  # librdkafka gives a list: skip the ABC
        return _text(headers[name]) if name in headers else None
    found: str | bytes | None = None
    present = False
    for header, value in headers or []:
        if header == name:
            found, present = value, True
    return _text(found) if present else None


def _text(value: str | bytes | None) -> str:
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value or ""


def decode(
    topic: str, value: bytes | None, headers: RecordHeaders, registry: TopicRegistry = REGISTRY
) -> Message:
    """The event in a record of `topic`, or UndecodableMessageError saying why not."""
    try:
        spec = registry.by_name(topic)
    except KeyError as error:
        raise UndecodableMessageError(str(error)) from error
    declared = header_value(headers, HEADER_TYPE)
    if declared is not None and declared != spec.type_name:
        raise UndecodableMessageError(
            f"header {HEADER_TYPE}={declared!r} but {topic} carries {spec.type_name}"
        )
    if value is None:
        raise UndecodableMessageError("record has no value")
    event = spec.message_type()
    try:
        event.ParseFromString(value)
    except DecodeError as error:
        raise UndecodableMessageError(f"not a valid {spec.type_name}: {error}") from error
    if not getattr(event, "event_id", ""):
        raise UndecodableMessageError(f"{spec.type_name} without event_id")
    return event
