"""The pure rules of message_saver (no engines)."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from services.message_saver import convert, domain
from t1.tickets.v1 import ticket_pb2 as pb
from t1lib.errors import ConflictError, InvalidArgumentError, PermanentEventError


def test_customer_message_id_is_stable_per_chat_and_telegram_id() -> None:
    first = domain.customer_message_id(42, 7)
    assert first == domain.customer_message_id(42, 7)
    assert first != domain.customer_message_id(42, 8)
    assert first != domain.customer_message_id(43, 7)


def test_operator_message_id_is_stable_only_with_a_client_id() -> None:
    assert domain.operator_message_id("t1", "c1") == domain.operator_message_id("t1", "c1")
    assert domain.operator_message_id("t1", "c1") != domain.operator_message_id("t2", "c1")
    assert domain.operator_message_id("t1", "") != domain.operator_message_id("t1", "")


def test_event_ids_are_derived_from_source_and_kind() -> None:
    created = domain.event_id_for("evt-1", domain.Notification.MESSAGE_CREATED)
    assert created == domain.event_id_for("evt-1", "message.created")
    assert created != domain.event_id_for("evt-1", domain.Notification.TICKET_CREATED)
    assert created != domain.event_id_for("evt-2", domain.Notification.MESSAGE_CREATED)


def test_preview_shortens_text_and_squashes_whitespace() -> None:
    assert domain.preview("  Не  проходит\nоплата ", []) == "Не проходит оплата"
    long_text = "Здравствуйте, " * 30
    shortened = domain.preview(long_text, ["photo"])
    assert len(shortened) == domain.PREVIEW_LIMIT
    assert shortened.endswith("…")
    assert shortened.startswith("Здравствуйте, Здравствуйте")


@pytest.mark.parametrize(
    ("kinds", "expected"),
    [
        (["photo"], "[фото]"),
        (["document"], "[документ]"),
        (["voice"], "[голосовое сообщение]"),
        (["photo", "photo", "document"], "[фото] [документ]"),
        (["unspecified"], "[вложение]"),
    ],
)
def test_preview_of_attachments_only(kinds: list[str], expected: str) -> None:
    assert domain.preview("  ", kinds) == expected


def test_title_request_texts() -> None:
    assert domain.title_request_texts(" Карта заблокирована ", []) == ["Карта заблокирована"]
    assert domain.title_request_texts("", ["photo"]) == ["[фото]"]


def test_titles_are_shortened_and_must_not_be_empty() -> None:
    assert domain.normalize_title(" Блокировка\nкарты ") == "Блокировка карты"
    assert len(domain.normalize_title("Очень длинный заголовок " * 10)) == domain.TITLE_LIMIT
    with pytest.raises(PermanentEventError):
        domain.normalize_title("   ")


@pytest.mark.parametrize("query", ["C++ (срочно)", "a.b*c?", "[x]{y}^$|\\/", "100% - скидка & кэшбэк #1 ~"])
def test_regex_literal_matches_only_the_literal(query: str) -> None:
    pattern = domain.regex_literal(query)
    assert re.fullmatch(pattern, query)
    assert re.search(domain.regex_literal("a.b"), "axb") is None


def test_customer_message_validation() -> None:
    domain.validate_customer_message(1, 1, "Привет", 0)
    domain.validate_customer_message(1, 1, "", 1)
    with pytest.raises(PermanentEventError, match="chat_id"):
        domain.validate_customer_message(0, 1, "Привет", 0)
    with pytest.raises(PermanentEventError, match="telegram_message_id"):
        domain.validate_customer_message(1, 0, "Привет", 0)
    with pytest.raises(PermanentEventError, match="neither text nor attachments"):
        domain.validate_customer_message(1, 1, " \n", 0)


def test_operator_text_and_note_validation() -> None:
    domain.validate_operator_text("", 1)
    with pytest.raises(InvalidArgumentError):
        domain.validate_operator_text(" ", 0)
    with pytest.raises(InvalidArgumentError):
        domain.validate_operator_text("я" * (domain.TEXT_LIMIT + 1), 0)
    with pytest.raises(InvalidArgumentError):
        domain.validate_note("")
    with pytest.raises(InvalidArgumentError):
        domain.require("  ", "ticket_id")


def test_update_paths_and_tags() -> None:
    assert domain.validate_update_paths(["tags", "priority", "tags"]) == ["priority", "tags"]
    with pytest.raises(InvalidArgumentError, match="title"):
        domain.validate_update_paths(["tags", "title"])
    with pytest.raises(InvalidArgumentError):
        domain.validate_update_paths([])
    assert domain.normalize_tags([" vip ", "", "карта", "vip"]) == ["vip", "карта"]
    with pytest.raises(InvalidArgumentError):
        domain.normalize_tags([f"тег{index}" for index in range(domain.TAGS_LIMIT + 1)])
    with pytest.raises(InvalidArgumentError):
        domain.normalize_tags(["я" * (domain.TAG_LENGTH_LIMIT + 1)])


def test_page_size() -> None:
    assert domain.page_size(0, domain.TICKETS_PAGE) == 50
    assert domain.page_size(7, domain.TICKETS_PAGE) == 7
    assert domain.page_size(10_000, domain.TICKETS_PAGE) == 200
    assert domain.page_size(0, domain.MESSAGES_PAGE) == 100
    assert domain.page_size(501, domain.MESSAGES_PAGE) == 500
    with pytest.raises(InvalidArgumentError):
        domain.page_size(-1, domain.TICKETS_PAGE)


def test_take_rules() -> None:
    domain.check_take("assigned", "op-1", "op-1")  # already mine: fine
    with pytest.raises(ConflictError, match="op-1"):
        domain.check_take("assigned", "op-1", "op-2")
    with pytest.raises(ConflictError, match="закрыт"):
        domain.check_take("closed", "op-1", "op-1")
    with pytest.raises(ConflictError):
        domain.check_not_closed("closed", "ответ")
    domain.check_not_closed("open", "ответ")


def test_cursor_round_trip_and_rejection() -> None:
    token = domain.encode_cursor(1_736_000_000_123, "b1c2")
    assert domain.decode_cursor(token) == (1_736_000_000_123, "b1c2")
    for bad in ["!!!", "bm90IGpzb24", domain.encode_cursor(1, "x")[:-3], "WzEsMl0", "W3RydWUsIngiXQ"]:
        with pytest.raises(InvalidArgumentError):
            domain.decode_cursor(bad)


def test_millis_round_trip() -> None:
    moment = datetime(2025, 3, 1, 12, 30, 15, 123456, tzinfo=UTC)
    truncated = domain.truncate_to_millis(moment)
    assert truncated == datetime(2025, 3, 1, 12, 30, 15, 123000, tzinfo=UTC)
    assert domain.from_millis(domain.to_millis(moment)) == truncated
    assert domain.to_millis(datetime(1970, 1, 1, 0, 0, 1, tzinfo=UTC)) == 1000


def test_sequence_clock_is_strictly_increasing() -> None:
    clock = domain.SequenceClock()
    stamps = [clock.next(now) for now in (100, 100, 50, 200, 200)]
    assert stamps == [100, 101, 102, 200, 201]


def test_ticket_doc_without_optional_fields_converts() -> None:
    ticket = convert.ticket_proto({"_id": "t-1", "status": "open", "customer": {"first_name": "Анна"}})
    assert ticket.status == pb.TICKET_STATUS_OPEN
    assert ticket.customer.first_name == "Анна"
    assert not ticket.HasField("closed_at")
    message = convert.message_proto(
        {
            "_id": "m-1",
            "direction": "system",
            "internal": True,
            "attachments": [{"id": "a", "kind": "photo", "size": 10}],
        }
    )
    assert message.direction == pb.MESSAGE_DIRECTION_SYSTEM
    assert message.attachments[0].kind == pb.ATTACHMENT_KIND_PHOTO
    assert not message.HasField("edited_at")
    with pytest.raises(InvalidArgumentError):
        convert.priority_name(99)


@pytest.mark.parametrize(
    "parts", [("customer-message", 501, 10), ("event", "0f3c", "message.created"), ("ёлка", 2**40, "")]
)
def test_derived_ids_are_uuid5_in_the_namespace(parts: tuple[object, ...]) -> None:
    expected = uuid.uuid5(domain.NAMESPACE, "\x1f".join(str(part) for part in parts))
    assert domain.derived_id(*parts) == str(expected)


# --- waiting for an answer -------------------------------------------------------------------------

T = datetime(2026, 12, 7, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T + timedelta(minutes=minutes)


def test_the_customer_waits_since_the_first_message_after_the_last_reply() -> None:
    waiting = domain.Waiting()
    waiting = waiting.after("customer", False, at(0))
    assert waiting == domain.Waiting(since=at(0), last_customer_at=at(0))
    waiting = waiting.after("customer", False, at(3))  # still waiting since the first one
    assert waiting == domain.Waiting(since=at(0), last_customer_at=at(3))
    waiting = waiting.after("operator", False, at(5))  # answered
    assert waiting == domain.Waiting(since=None, last_customer_at=at(3))
    waiting = waiting.after("customer", False, at(9))  # asks again: waits from this message on
    assert waiting == domain.Waiting(since=at(9), last_customer_at=at(9))


def test_notes_and_system_messages_do_not_answer_the_customer() -> None:
    waiting = domain.Waiting().customer_wrote(at(0))
    assert waiting.after("system", True, at(1)) == waiting  # an internal note
    assert waiting.after("operator", True, at(1)) == waiting
    assert waiting.after("system", False, at(1)) == waiting


def test_messages_replayed_out_of_order_keep_the_earliest_wait_and_the_latest_message() -> None:
    waiting = domain.Waiting().customer_wrote(at(4)).customer_wrote(at(2))
    assert waiting == domain.Waiting(since=at(2), last_customer_at=at(4))


def test_a_ticket_stored_before_waiting_was_tracked_is_not_waiting() -> None:
    legacy = {"_id": "t1", "status": "open", "last_message_at": at(0)}
    assert domain.Waiting.of(legacy) == domain.Waiting()
    assert domain.waiting_since(legacy) is None
    assert domain.Waiting.of(legacy).customer_wrote(at(7)).fields() == {
        domain.WAITING_SINCE: at(7),
        domain.LAST_CUSTOMER_MESSAGE_AT: at(7),
    }


def test_a_closed_ticket_never_shows_waiting() -> None:
    ticket = {"_id": "t1", "status": "assigned", domain.WAITING_SINCE: at(0)}
    assert domain.waiting_since(ticket) == at(0)
    assert domain.waiting_since({**ticket, "status": "closed"}) is None
    proto = convert.ticket_proto({**ticket, "status": "closed", domain.LAST_CUSTOMER_MESSAGE_AT: at(0)})
    assert not proto.HasField("waiting_since")
    assert proto.last_customer_message_at.ToDatetime(tzinfo=UTC) == at(0)
    assert convert.ticket_proto(ticket).waiting_since.ToDatetime(tzinfo=UTC) == at(0)


def test_waiting_cursor_round_trip_and_rejection() -> None:
    token = domain.encode_waiting_cursor(True, 1_736_000_000_123, "b1c2")
    assert domain.decode_waiting_cursor(token) == (True, 1_736_000_000_123, "b1c2")
    assert domain.decode_waiting_cursor(domain.encode_waiting_cursor(False, 5, "x")) == (False, 5, "x")
    for bad in [domain.encode_cursor(1, "x"), domain._encode([1, "x", 2]), domain._encode([1, "x", True])]:
        with pytest.raises(InvalidArgumentError):
            domain.decode_waiting_cursor(bad)
    with pytest.raises(InvalidArgumentError):
        domain.decode_cursor(token)  # an activity list does not take a waiting list's token
