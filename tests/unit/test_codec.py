import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider

from t1.stats.v1 import events_pb2 as stats_events
from t1.tickets.v1 import events_pb2 as tickets_events
from t1.tickets.v1 import ticket_pb2
from t1lib.events import new_event, to_datetime
from t1lib.kafka.codec import HEADER_TYPE, UndecodableMessageError, decode, encode, headers_dict


def customer_message(text: str = "Здравствуйте! Не проходит оплата картой.") -> tickets_events.TicketCreated:
    return new_event(
        tickets_events.TicketCreated,
        chat_id=777,
        customer=ticket_pb2.Customer(telegram_user_id=777, chat_id=777, first_name="Иван"),
        telegram_message_id=5,
        text=text,
    )


def test_round_trip_keeps_russian_text_key_and_type_header() -> None:
    event = customer_message()
    record = encode(event)
    assert record.topic == "ticket_created"
    assert record.key == b"777"
    assert headers_dict(record.headers)[HEADER_TYPE] == "t1.tickets.v1.TicketCreated"
    decoded = decode(record.topic, record.value, record.headers)
    assert decoded == event
    assert isinstance(decoded, tickets_events.TicketCreated)
    assert decoded.text == "Здравствуйте! Не проходит оплата картой."
    assert decoded.customer.first_name == "Иван"


def test_new_event_sets_unique_id_and_time() -> None:
    first, second = customer_message(), customer_message()
    assert first.event_id
    assert first.event_id != second.event_id
    assert to_datetime(first.occurred_at).tzinfo is not None


def test_trace_context_travels_in_headers() -> None:
    provider = TracerProvider()
    with provider.get_tracer("test").start_as_current_span("publish") as span:
        record = encode(customer_message())
    trace_id = format(span.get_span_context().trace_id, "032x")
    assert trace_id in headers_dict(record.headers)["traceparent"]
    assert trace.get_current_span() is trace.INVALID_SPAN


def test_garbage_is_undecodable() -> None:
    with pytest.raises(UndecodableMessageError):
        decode("ticket_created", b"\xff\xfe not protobuf at all", None)


def test_type_header_must_match_the_topic() -> None:
    record = encode(customer_message())
    with pytest.raises(UndecodableMessageError, match=r"carries t1\.tickets\.v1\.OperatorReply"):
        decode("operator_replies", record.value, record.headers)
    with pytest.raises(UndecodableMessageError, match=r"carries t1\.tickets\.v1\.OperatorReply"):
        decode("operator_replies", record.value, headers_dict(record.headers))


def test_event_without_id_is_undecodable_and_cannot_be_encoded() -> None:
    bare = stats_events.ReviewSubmitted(ticket_id="t-1", rating=5)
    with pytest.raises(ValueError, match="event_id is empty"):
        encode(bare)
    with pytest.raises(UndecodableMessageError, match="without event_id"):
        decode("reviews_topic", bare.SerializeToString(), None)


def test_missing_key_cannot_be_encoded() -> None:
    with pytest.raises(ValueError, match="ticket_id is empty"):
        encode(new_event(stats_events.ReviewSubmitted, rating=4))


def test_unknown_topic_is_undecodable() -> None:
    with pytest.raises(UndecodableMessageError, match="unknown topic"):
        decode("nope", b"", None)
