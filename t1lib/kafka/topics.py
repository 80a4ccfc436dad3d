"""The topic registry: each event message type is listed once; its topic name and key field come from
the `(t1.events.v1.event)` option in proto/, so a topic name is written down in exactly one place."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from google.protobuf.message import Message

from t1.events.v1 import options_pb2
from t1.notifications.v1 import events_pb2 as notifications_events
from t1.stats.v1 import events_pb2 as stats_events
from t1.summarizer.v1 import events_pb2 as summarizer_events
from t1.tickets.v1 import events_pb2 as tickets_events

DLQ_SUFFIX = ".dlq"

EVENT_TYPES: tuple[type[Message], ...] = (
    tickets_events.TicketCreated,
    tickets_events.OperatorReply,
    tickets_events.OcrProcessed,
    tickets_events.DeliveryOutcome,
    tickets_events.OperatorTyping,
    notifications_events.WebsocketNotification,
    stats_events.ReviewSubmitted,
    summarizer_events.ChatTitleRequest,
    summarizer_events.ChatTitleGenerated,
)


@dataclass(frozen=True)
class TopicSpec:
    """A topic and the one message type it carries."""

    name: str
    message_type: type[Message]
    key_field: str

    @property
    def type_name(self) -> str:
        return str(self.message_type.DESCRIPTOR.full_name)

    def key_of(self, event: Message) -> str:
        key = getattr(event, self.key_field)
        if key in ("", 0):
            raise ValueError(
                f"{self.type_name}.{self.key_field} is empty; it is the Kafka key of {self.name}"
            )
        return str(key)


class TopicRegistry:
    """Topic name <-> message type. `prefix` namespaces every topic (isolated test runs, shared clusters)."""

    def __init__(self, event_types: Iterable[type[Message]], prefix: str = "") -> None:
        self._by_name: dict[str, TopicSpec] = {}
        self._by_type: dict[str, TopicSpec] = {}
        for event_type in event_types:
            spec = _spec_of(event_type, prefix)
            if spec.name in self._by_name:
                raise ValueError(f"topic {spec.name} is bound to two message types")
            self._by_name[spec.name] = spec
            self._by_type[spec.type_name] = spec

    def __iter__(self) -> Iterator[TopicSpec]:
        return iter(self._by_name.values())

    def names(self) -> list[str]:
        return list(self._by_name)

    def by_name(self, topic: str) -> TopicSpec:
        try:
            return self._by_name[topic]
        except KeyError:
            raise KeyError(f"unknown topic {topic!r}; known: {sorted(self._by_name)}") from None

    def for_message(self, event: Message | type[Message]) -> TopicSpec:
        name = str(event.DESCRIPTOR.full_name)
        try:
            return self._by_type[name]
        except KeyError:
            raise KeyError(f"{name} is not an event type bound to a topic") from None


def _spec_of(event_type: type[Message], prefix: str) -> TopicSpec:
    options = event_type.DESCRIPTOR.GetOptions()
    binding: options_pb2.EventOptions = options.Extensions[options_pb2.event]  # type: ignore[index]
    if not binding.topic or not binding.key_field:
        raise ValueError(f"{event_type.DESCRIPTOR.full_name} lacks the (t1.events.v1.event) option")
    fields = event_type.DESCRIPTOR.fields_by_name
    for required in ("event_id", "occurred_at", binding.key_field):
        if required not in fields:
            raise ValueError(f"{event_type.DESCRIPTOR.full_name} lacks the field {required}")
    return TopicSpec(name=prefix + binding.topic, message_type=event_type, key_field=binding.key_field)


def dlq_topic(topic: str) -> str:
    return topic + DLQ_SUFFIX


def registry_with_prefix(prefix: str) -> TopicRegistry:
    return REGISTRY if not prefix else TopicRegistry(EVENT_TYPES, prefix)


REGISTRY = TopicRegistry(EVENT_TYPES)
