from gateway.domain.hints import (
    MAX_CONVERSATION_CHARS,
    MAX_CONVERSATION_MESSAGES,
    MAX_MESSAGE_CHARS,
    hints_messages,
)
from t1.tickets.v1 import ticket_pb2

CUSTOMER = ticket_pb2.MESSAGE_DIRECTION_CUSTOMER
OPERATOR = ticket_pb2.MESSAGE_DIRECTION_OPERATOR


def message(
    text: str, direction: int = CUSTOMER, ocr: str = "", internal: bool = False, id_: str = ""
) -> ticket_pb2.Message:
    attachments = [ticket_pb2.Attachment(kind=ticket_pb2.ATTACHMENT_KIND_PHOTO, ocr_text=ocr)] if ocr else []
    return ticket_pb2.Message(
        id=id_,
        text=text,
        direction=direction,  # type: ignore[arg-type]
        attachments=attachments,
        internal=internal,
    )


def test_the_conversation_is_the_opening_request_and_the_latest_messages() -> None:
    opening = [
        message("", ocr="", id_="m0"),
        message("Карта заблокирована", id_="m1"),
        message("ау", id_="m2"),
    ]
    recent = [message(f"сообщение {index}", id_=f"r{index}") for index in range(12)]
    messages = hints_messages(opening, recent)
    assert len(messages) == MAX_CONVERSATION_MESSAGES
    assert messages[0] == "Карта заблокирована"
    assert messages[1:] == [f"сообщение {index}" for index in range(3, 12)]


def test_the_opening_is_not_repeated_when_it_is_among_the_latest_and_photos_count() -> None:
    history = [
        message("Здравствуйте, не приходит СМС", id_="m1"),
        message("Уточните номер", OPERATOR, id_="m2"),
        message("Вот экран", ocr="Код не отправлен", id_="m3"),
        message("заметка", OPERATOR, internal=True, id_="m4"),
    ]
    customer = [history[0], history[2]]
    assert hints_messages(customer[:1], customer) == [
        "Здравствуйте, не приходит СМС",
        "Вот экран Код не отправлен",
    ]
    assert hints_messages([], []) == []
    assert hints_messages([message("Ответ", OPERATOR, id_="x")], [message("👍", id_="y")]) == ["👍"]


def test_the_conversation_is_capped_in_length() -> None:
    long = "а" * 5000
    messages = hints_messages(
        [message(long, id_="m1")], [message(long, id_=f"r{index}") for index in range(10)]
    )
    assert all(len(text) <= MAX_MESSAGE_CHARS for text in messages)
    assert sum(len(text) for text in messages) <= MAX_CONVERSATION_CHARS
    assert len(messages) == MAX_CONVERSATION_CHARS // MAX_MESSAGE_CHARS
