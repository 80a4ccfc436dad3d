"""What the hints search for: the customer's messages (with the text recognised on their photos). GetHints
takes the conversation (`hints_messages`: the opening request and the latest messages) and derives the
customer's intent from it; ComposeReply takes the same messages, one a line."""

from __future__ import annotations

from collections.abc import Sequence

from t1.tickets.v1 import ticket_pb2

MAX_CONVERSATION_MESSAGES = 10
MAX_MESSAGE_CHARS = 1000
MAX_CONVERSATION_CHARS = 4000


def message_text(message: ticket_pb2.Message) -> str:
    """A customer message's text with its photos' OCR text; "" for an operator's or an internal one."""
    if message.direction != ticket_pb2.MESSAGE_DIRECTION_CUSTOMER or message.internal:
        return ""
    texts = [message.text.strip(), *(attachment.ocr_text.strip() for attachment in message.attachments)]
    return " ".join(part for part in texts if part)[:MAX_MESSAGE_CHARS]


def hints_messages(opening: Sequence[ticket_pb2.Message], recent: Sequence[ticket_pb2.Message]) -> list[str]:
    """The conversation ml derives the customer's intent from (GetHintsRequest.messages), oldest first:
    the opening request (the first customer message with text, from `opening`, the oldest ones) and the
    latest messages (`recent`, oldest first), each cut to MAX_MESSAGE_CHARS; at most
    MAX_CONVERSATION_MESSAGES and MAX_CONVERSATION_CHARS in all, the middle dropped first."""
    first = next(((m.id, text) for m in opening if (text := message_text(m))), None)
    latest = [(m.id, text) for m in recent if (text := message_text(m))]
    if first is not None and first[0] and any(message_id == first[0] for message_id, _ in latest):
        first = None  # the opening is among the latest already
    budget = MAX_CONVERSATION_CHARS - (len(first[1]) if first else 0)
    limit = MAX_CONVERSATION_MESSAGES - (1 if first else 0)
    kept: list[str] = []
    for _, text in reversed(latest):
        if len(kept) == limit or len(text) > budget:
            break
        kept.append(text)
        budget -= len(text)
    return ([first[1]] if first else []) + list(reversed(kept))
