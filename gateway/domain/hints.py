"""The hints query: what the customer said recently, including the text recognised on their photos."""

from __future__ import annotations

from collections.abc import Sequence

from t1.tickets.v1 import ticket_pb2

MAX_MESSAGES = 3
MAX_QUERY_CHARS = 1000


def hints_query(messages: Sequence[ticket_pb2.Message]) -> str:
    """The last few customer messages (oldest first) with their photos' OCR text, capped in length."""
    parts: list[str] = []
    for message in reversed(messages):
        if message.direction != ticket_pb2.MESSAGE_DIRECTION_CUSTOMER or message.internal:
            continue
        texts = [message.text.strip(), *(attachment.ocr_text.strip() for attachment in message.attachments)]
        text = " ".join(part for part in texts if part)
        if text:
            parts.append(text)
        if len(parts) == MAX_MESSAGES:
            break
    query = "\n".join(reversed(parts))
    return query[-MAX_QUERY_CHARS:]
