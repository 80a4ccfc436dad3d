import pytest

from t1.tickets.v1 import events_pb2 as tickets_events
from t1.tickets.v1 import ticket_pb2
from t1lib.kafka.topics import EVENT_TYPES, REGISTRY, TopicRegistry, dlq_topic

ARCHITECTURE_TOPICS = {
    "ticket_created",
    "operator_replies",
    "websocket_notifications",
    "reviews_topic",
    "chat_title_request",
    "chat_title_generated",
    "ocr_processed",
    "delivery_outcomes",
    "operator_typing",
}


def test_registry_holds_exactly_the_architecture_topics() -> None:
    assert set(REGISTRY.names()) == ARCHITECTURE_TOPICS


def test_every_event_carries_id_time_and_its_key() -> None:
    for spec in REGISTRY:
        fields = spec.message_type.DESCRIPTOR.fields_by_name
        assert "event_id" in fields, spec.name
        occurred_at = fields["occurred_at"].message_type
        assert occurred_at is not None, spec.name
        assert occurred_at.full_name == "google.protobuf.Timestamp", spec.name
        assert spec.key_field in fields, spec.name


def test_lookup_by_type_and_name_agree() -> None:
    spec = REGISTRY.for_message(tickets_events.OperatorReply)
    assert spec.name == "operator_replies"
    assert REGISTRY.by_name("operator_replies") is spec
    assert spec.type_name == "t1.tickets.v1.OperatorReply"


def test_unknown_topic_and_type_are_named_in_the_error() -> None:
    with pytest.raises(KeyError, match="no_such_topic"):
        REGISTRY.by_name("no_such_topic")
    with pytest.raises(KeyError, match=r"t1\.tickets\.v1\.Ticket\b"):
        REGISTRY.for_message(ticket_pb2.Ticket)


def test_key_comes_from_the_key_field_and_must_be_set() -> None:
    spec = REGISTRY.for_message(tickets_events.TicketCreated)
    assert spec.key_of(tickets_events.TicketCreated(chat_id=42)) == "42"
    with pytest.raises(ValueError, match="chat_id is empty"):
        spec.key_of(tickets_events.TicketCreated())


def test_prefix_namespaces_every_topic() -> None:
    registry = TopicRegistry(EVENT_TYPES, prefix="run1.")
    assert set(registry.names()) == {f"run1.{name}" for name in ARCHITECTURE_TOPICS}
    assert registry.for_message(tickets_events.TicketCreated).name == "run1.ticket_created"


def test_dead_letter_topic_name() -> None:
    assert dlq_topic("ticket_created") == "ticket_created.dlq"


def test_message_without_binding_is_rejected() -> None:
    with pytest.raises(ValueError, match="lacks the"):
        TopicRegistry([ticket_pb2.Ticket])
