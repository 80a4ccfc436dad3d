"""How an OperatorReply reaches the customer: the list of Telegram messages to send, in order. Plain
functions; the delivery code sends the parts and remembers which ones went out."""

from __future__ import annotations

from dataclasses import dataclass

from services.bot import texts
from t1.tickets.v1 import events_pb2 as tickets_events
from t1.tickets.v1 import ticket_pb2 as tickets
from t1lib.errors import PermanentEventError

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
PHOTO_LIMIT = 10 * 1024 * 1024
PHOTO_MIME_TYPES = frozenset({"image/jpeg", "image/jpg", "image/png", "image/webp"})


@dataclass(frozen=True)
class TextPart:
    text: str


@dataclass(frozen=True)
class FilePart:
    """A file sent with sendPhoto (as_photo) or sendDocument, with an optional caption."""

    attachment: tickets.Attachment
    as_photo: bool
    caption: str = ""


@dataclass(frozen=True)
class RatingPart:
    """The closing message, with the 1-5 rating buttons of `ticket_id` under it."""

    text: str
    ticket_id: str


Part = TextPart | FilePart | RatingPart


def telegram_length(text: str) -> int:
    """Telegram counts message length in UTF-16 code units."""
    return len(text.encode("utf-16-le")) // 2


def split_text(text: str, limit: int = TEXT_LIMIT) -> list[str]:
    """Pieces of at most `limit` units, cut at a paragraph, line or word boundary when there is one."""
    pieces: list[str] = []
    rest = text.strip()
    while telegram_length(rest) > limit:
        low, high = 1, len(rest)  # the longest prefix within the limit
        while low < high:
            middle = (low + high + 1) // 2
            if telegram_length(rest[:middle]) <= limit:
                low = middle
            else:
                high = middle - 1
        cut = low
        window = rest[:cut]
        for separator in ("\n\n", "\n", " "):
            position = window.rfind(separator)
            if position > cut // 2:
                cut = position
                break
        pieces.append(rest[:cut].rstrip())
        rest = rest[cut:].lstrip()
    if rest:
        pieces.append(rest)
    return pieces


def sends_as_photo(item: tickets.Attachment) -> bool:
    """Photos go as photos when Telegram can show them; anything else, or too big, goes as a document."""
    if item.kind != tickets.ATTACHMENT_KIND_PHOTO:
        return False
    mime = item.mime_type.lower()
    return (not mime or mime in PHOTO_MIME_TYPES) and item.size <= PHOTO_LIMIT


def plan_delivery(reply: tickets_events.OperatorReply) -> list[Part]:
    """The messages that deliver `reply`. PermanentEventError when it can never be delivered."""
    if reply.chat_id == 0:
        raise PermanentEventError("OperatorReply.chat_id is 0")
    text = reply.text.strip()
    if reply.kind == tickets_events.OPERATOR_REPLY_KIND_TICKET_CLOSED:
        parts: list[Part] = [TextPart(piece) for piece in split_text(text)]
        closing = texts.text_for(texts.TICKET_CLOSED, reply.language_code)
        question = texts.text_for(texts.RATE_PROMPT, reply.language_code)
        return [*parts, RatingPart(f"{closing}\n\n{question}", reply.ticket_id)]
    files = list(reply.attachments)
    if not text and not files:
        raise PermanentEventError("OperatorReply has neither text nor attachments")
    for item in files:
        if not item.s3_key and not item.telegram_file_id:
            raise PermanentEventError(
                f"attachment {item.id or item.file_name!r} has neither s3_key nor file id"
            )
    if not files:
        return [TextPart(piece) for piece in split_text(text)]
    caption = ""
    parts = []
    if text and telegram_length(text) <= CAPTION_LIMIT:
        caption = text
    elif text:
        parts = [TextPart(piece) for piece in split_text(text)]
    for index, item in enumerate(files):
        parts.append(FilePart(item, as_photo=sends_as_photo(item), caption=caption if index == 0 else ""))
    return parts
