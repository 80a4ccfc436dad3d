"""Pure rules of tickets and messages: ids, statuses, previews, validation, cursors. No I/O here."""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
import string
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from t1lib.errors import ConflictError, InvalidArgumentError, PermanentEventError

# Fixed namespace of every deterministic id this service derives (never change it: ids are stored).
NAMESPACE = uuid.UUID("4f1c7c2e-8a51-5a53-9d3e-7d0c1a0b7e11")
_NAMESPACE_BYTES = NAMESPACE.bytes

EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
PREVIEW_LIMIT = 120
TITLE_LIMIT = 60
TEXT_LIMIT = 4096  # Telegram's limit for one message
TAGS_LIMIT = 20
TAG_LENGTH_LIMIT = 50
QUERY_LENGTH_LIMIT = 200

TICKETS_PAGE = (50, 200)  # (default, maximum)
MESSAGES_PAGE = (100, 500)
SEARCH_PAGE = (20, 100)


class Status(StrEnum):
    OPEN = "open"
    ASSIGNED = "assigned"
    CLOSED = "closed"


ACTIVE_STATUSES = (Status.OPEN, Status.ASSIGNED)


class Direction(StrEnum):
    CUSTOMER = "customer"
    OPERATOR = "operator"
    SYSTEM = "system"


class Notification(StrEnum):
    """`type` of t1.notifications.v1.WebsocketNotification."""

    TICKET_CREATED = "ticket.created"
    TICKET_UPDATED = "ticket.updated"
    MESSAGE_CREATED = "message.created"
    MESSAGE_UPDATED = "message.updated"


ATTACHMENT_LABELS = {
    "photo": "[фото]",
    "document": "[документ]",
    "voice": "[голосовое сообщение]",
    "audio": "[аудио]",
    "video": "[видео]",
}
UNKNOWN_ATTACHMENT_LABEL = "[вложение]"

UPDATABLE_PATHS = frozenset({"tags", "priority", "category", "subcategory"})


# --- ids -------------------------------------------------------------------------------------------


def derived_id(*parts: object) -> str:
    """A stable id for the given parts: the same parts always give the same id (uuid5 in NAMESPACE,
    formatted without building a UUID object: several are made for every message)."""
    name = "\x1f".join(map(str, parts)).encode()
    digest = bytearray(hashlib.sha1(_NAMESPACE_BYTES + name, usedforsecurity=False).digest()[:16])  # as uuid5
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def customer_message_id(chat_id: int, telegram_message_id: int) -> str:
    """Id of a customer's Telegram message: one stored message per (chat, Telegram message)."""
    return derived_id("customer-message", chat_id, telegram_message_id)


def opening_ticket_id(first_message_id: str) -> str:
    """Id of the ticket a message opens: a redelivered opening message finds the ticket it opened (even
    one closed since) instead of opening another."""
    return derived_id("ticket-opened-by", first_message_id)


def operator_message_id(ticket_id: str, client_message_id: str) -> str:
    """Id of an operator message; stable per (ticket, client_message_id), random without a client id."""
    if not client_message_id:
        return str(uuid.uuid4())
    return derived_id("operator-message", ticket_id, client_message_id)


def event_id_for(source: str, kind: str) -> str:
    """Id of an event caused by `source` (an event id, a message id, a ticket version): re-publishing
    after a redelivery yields the same id, so consumers de-duplicate it."""
    return derived_id("event", source, kind)


def ticket_version_key(ticket_id: str, version: int) -> str:
    return f"{ticket_id}@{version}"


def attachment_id(message_id: str, index: int) -> str:
    return derived_id("attachment", message_id, index)


# --- time ------------------------------------------------------------------------------------------


def to_millis(moment: datetime) -> int:
    """Milliseconds since the epoch, rounded down (exact integer arithmetic, no float error)."""
    delta = moment.astimezone(UTC) - EPOCH
    return delta.days * 86_400_000 + delta.seconds * 1000 + delta.microseconds // 1000


def from_millis(millis: int) -> datetime:
    return EPOCH + timedelta(milliseconds=millis)


def truncate_to_millis(moment: datetime) -> datetime:
    """MongoDB keeps milliseconds; truncating first makes what we return equal to what we stored."""
    return from_millis(to_millis(moment))


def utcnow() -> datetime:
    return truncate_to_millis(datetime.now(UTC))


class SequenceClock:
    """Strictly increasing nanosecond stamps: the order messages were stored in (ties impossible
    within a process; across processes the wall clock decides)."""

    def __init__(self) -> None:
        self._last = 0

    def next(self, now_ns: int) -> int:
        self._last = max(self._last + 1, now_ns)
        return self._last


# --- text ------------------------------------------------------------------------------------------


def squash(text: str) -> str:
    """Whitespace runs (including newlines) become single spaces."""
    return " ".join(text.split())


def shorten(text: str, limit: int) -> str:
    text = squash(text)
    if len(text) <= limit:
        return text
    return text[: limit - 1].rstrip() + "…"


def attachments_label(kinds: Iterable[str]) -> str:
    labels: list[str] = []
    for kind in kinds:
        label = ATTACHMENT_LABELS.get(kind, UNKNOWN_ATTACHMENT_LABEL)
        if label not in labels:
            labels.append(label)
    return " ".join(labels)


def preview(text: str, attachment_kinds: Sequence[str]) -> str:
    """The queue line of a message: its text shortened, or what it carries when it has no text."""
    if text.strip():
        return shorten(text, PREVIEW_LIMIT)
    return attachments_label(attachment_kinds)


def title_request_texts(text: str, attachment_kinds: Sequence[str]) -> list[str]:
    """What the summarizer gets for a new ticket: the first message's text (or what it carries)."""
    return [text.strip() or attachments_label(attachment_kinds)]


def normalize_title(title: str) -> str:
    title = shorten(title, TITLE_LIMIT)
    if not title:
        raise PermanentEventError("generated title is empty")
    return title


def regex_literal(query: str) -> str:
    """`query` as a regular expression that matches it literally (in PCRE and RE2 alike)."""
    return "".join("\\" + char if char in string.punctuation else char for char in query)


def normalize_query(query: str) -> str:
    query = squash(query)
    if len(query) > QUERY_LENGTH_LIMIT:
        raise InvalidArgumentError(f"query длиннее {QUERY_LENGTH_LIMIT} символов")
    return query


# --- validation ------------------------------------------------------------------------------------


def validate_customer_message(
    chat_id: int, telegram_message_id: int, text: str, attachment_count: int
) -> None:
    """Raise PermanentEventError for a customer message that can never be stored."""
    if chat_id == 0:
        raise PermanentEventError("TicketCreated.chat_id is 0")
    if telegram_message_id == 0:
        raise PermanentEventError("TicketCreated.telegram_message_id is 0")
    if not text.strip() and attachment_count == 0:
        raise PermanentEventError("TicketCreated has neither text nor attachments")


def require(value: str, name: str) -> str:
    if not value.strip():
        raise InvalidArgumentError(f"{name} не задан")
    return value.strip()


def validate_operator_text(text: str, attachment_count: int) -> None:
    if not text.strip() and attachment_count == 0:
        raise InvalidArgumentError("сообщение пустое: нужен текст или вложение")
    if len(text) > TEXT_LIMIT:
        raise InvalidArgumentError(f"текст длиннее {TEXT_LIMIT} символов")


def validate_note(text: str) -> None:
    if not text.strip():
        raise InvalidArgumentError("заметка пустая")
    if len(text) > TEXT_LIMIT:
        raise InvalidArgumentError(f"заметка длиннее {TEXT_LIMIT} символов")


def validate_update_paths(paths: Sequence[str]) -> list[str]:
    if not paths:
        raise InvalidArgumentError("update_paths пуст: укажите поля из tags, priority, category, subcategory")
    unknown = sorted(set(paths) - UPDATABLE_PATHS)
    if unknown:
        raise InvalidArgumentError(f"неизвестные поля в update_paths: {', '.join(unknown)}")
    return sorted(set(paths))


def normalize_tags(tags: Iterable[str]) -> list[str]:
    result: list[str] = []
    for raw in tags:
        tag = squash(raw)
        if not tag or tag in result:
            continue
        if len(tag) > TAG_LENGTH_LIMIT:
            raise InvalidArgumentError(f"тег длиннее {TAG_LENGTH_LIMIT} символов: {tag[:20]}…")
        result.append(tag)
    if len(result) > TAGS_LIMIT:
        raise InvalidArgumentError(f"больше {TAGS_LIMIT} тегов")
    return result


def page_size(requested: int, limits: tuple[int, int]) -> int:
    default, maximum = limits
    if requested < 0:
        raise InvalidArgumentError("page_size не может быть отрицательным")
    return default if requested == 0 else min(requested, maximum)


# --- status transitions ----------------------------------------------------------------------------


def check_take(status: str, assignee_id: str, operator_id: str) -> None:
    """After the atomic OPEN -> ASSIGNED update did not match: fine when the caller already holds the
    ticket, ConflictError otherwise."""
    if status == Status.CLOSED:
        raise ConflictError("тикет закрыт")
    if status == Status.ASSIGNED and assignee_id == operator_id:
        return
    if status == Status.ASSIGNED:
        raise ConflictError(f"тикет уже взят оператором {assignee_id}")
    raise ConflictError("тикет изменился, повторите попытку")


def visible_to(status: str, assignee_id: str, operator_id: str) -> bool:
    """Whether an operator sees a ticket: the queue (open tickets) and their own. An empty operator id
    means no restriction (admins)."""
    return not operator_id or status == Status.OPEN or assignee_id == operator_id


def check_not_closed(status: str, action: str) -> None:
    if status == Status.CLOSED:
        raise ConflictError(f"тикет закрыт: {action} невозможно")


# --- waiting for an answer ------------------------------------------------------------------------

WAITING_SINCE = "waiting_since"
LAST_CUSTOMER_MESSAGE_AT = "last_customer_message_at"


@dataclass(frozen=True)
class Waiting:
    """Since when the customer waits for an answer (None: not waiting) and when they last wrote.
    Times are when message_saver stored the messages (as `last_message_at`), not Telegram's."""

    since: datetime | None = None
    last_customer_at: datetime | None = None

    @staticmethod
    def of(ticket: Mapping[str, Any]) -> Waiting:
        """As a stored ticket tells (one stored before this was tracked: not waiting, never wrote)."""
        return Waiting(ticket.get(WAITING_SINCE), ticket.get(LAST_CUSTOMER_MESSAGE_AT))

    def customer_wrote(self, at: datetime) -> Waiting:
        """A customer message: waiting from then on, unless waiting already (since the earlier one)."""
        since = at if self.since is None else min(self.since, at)
        last = at if self.last_customer_at is None else max(self.last_customer_at, at)
        return Waiting(since, last)

    def answered(self) -> Waiting:
        """An operator's reply to the customer (or the ticket closed): nobody waits."""
        return Waiting(None, self.last_customer_at)

    def after(self, direction: str, internal: bool, at: datetime) -> Waiting:
        """After one more message of the ticket: notes and system messages change nothing."""
        if internal:
            return self
        if direction == Direction.CUSTOMER:
            return self.customer_wrote(at)
        if direction == Direction.OPERATOR:
            return self.answered()
        return self

    def fields(self) -> dict[str, datetime | None]:
        return {WAITING_SINCE: self.since, LAST_CUSTOMER_MESSAGE_AT: self.last_customer_at}


def waiting_since(ticket: Mapping[str, Any]) -> datetime | None:
    """Since when the ticket's customer waits, as the lists show it: never on a closed ticket."""
    if ticket.get("status") == Status.CLOSED:
        return None
    since = ticket.get(WAITING_SINCE)
    return since if isinstance(since, datetime) else None


# --- cursors ---------------------------------------------------------------------------------------

# A page token's position is a time in milliseconds (tickets) or a message's number (far smaller).
MAX_CURSOR_POSITION = to_millis(datetime.max.replace(tzinfo=UTC))
MAX_CURSOR_ID = 200


def encode_cursor(position: int, last_id: str) -> str:
    """An opaque page token naming the last item of a page by its sort position and id."""
    return _encode([position, last_id])


def decode_cursor(token: str) -> tuple[int, str]:
    """The position and id of a page token; a token no page could have ended with (a position beyond
    the last millisecond of year 9999, which no message's number reaches either) is INVALID_ARGUMENT."""
    parts = _decode(token)
    if len(parts) != 2:
        raise InvalidArgumentError("некорректный page_token")
    return _checked(parts[0], parts[1])


def encode_waiting_cursor(waiting: bool, position: int, last_id: str) -> str:
    """A page token of a list ordered by waiting time: whether the page ended among the waiting tickets
    (position: waiting since, in ms) or among the rest (position: last message, in ms)."""
    return _encode([position, last_id, 1 if waiting else 0])


def decode_waiting_cursor(token: str) -> tuple[bool, int, str]:
    parts = _decode(token)
    if len(parts) != 3 or parts[2] not in (0, 1) or isinstance(parts[2], bool):
        raise InvalidArgumentError("некорректный page_token")
    position, last_id = _checked(parts[0], parts[1])
    return parts[2] == 1, position, last_id


def _encode(parts: list[Any]) -> str:
    raw = json.dumps(parts, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(token: str) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        parts = json.loads(raw)
    except (binascii.Error, ValueError, TypeError) as error:
        raise InvalidArgumentError("некорректный page_token") from error
    if not isinstance(parts, list):
        raise InvalidArgumentError("некорректный page_token")
    return parts


def _checked(position: object, last_id: object) -> tuple[int, str]:
    if not isinstance(position, int) or isinstance(position, bool) or not isinstance(last_id, str):
        raise InvalidArgumentError("некорректный page_token")
    if not 0 <= position <= MAX_CURSOR_POSITION or len(last_id) > MAX_CURSOR_ID:
        raise InvalidArgumentError("некорректный page_token")
    return position, last_id
