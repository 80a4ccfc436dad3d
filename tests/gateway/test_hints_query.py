from gateway.domain.hints import MAX_QUERY_CHARS, hints_query
from t1.tickets.v1 import ticket_pb2

CUSTOMER = ticket_pb2.MESSAGE_DIRECTION_CUSTOMER
OPERATOR = ticket_pb2.MESSAGE_DIRECTION_OPERATOR


def message(
    text: str, direction: int = CUSTOMER, ocr: str = "", internal: bool = False
) -> ticket_pb2.Message:
    attachments = [ticket_pb2.Attachment(kind=ticket_pb2.ATTACHMENT_KIND_PHOTO, ocr_text=ocr)] if ocr else []
    return ticket_pb2.Message(text=text, direction=direction, attachments=attachments, internal=internal)  # type: ignore[arg-type]


def test_recent_customer_messages_with_ocr_oldest_first() -> None:
    history = [
        message("Здравствуйте"),
        message("Не проходит оплата картой"),
        message("Уточните, пожалуйста, карту", OPERATOR),
        message("Вот скриншот", ocr="Операция отклонена: превышен лимит"),
        message("заметка", OPERATOR, internal=True),
    ]
    assert hints_query(history) == (
        "Здравствуйте\nНе проходит оплата картой\nВот скриншот Операция отклонена: превышен лимит"
    )


def test_only_the_last_three_and_capped_length() -> None:
    history = [message(f"вопрос {index}") for index in range(6)]
    assert hints_query(history) == "вопрос 3\nвопрос 4\nвопрос 5"
    assert len(hints_query([message("а" * 5000)])) == MAX_QUERY_CHARS


def test_no_customer_text_gives_an_empty_query() -> None:
    assert hints_query([message("Ответ оператора", OPERATOR)]) == ""
