"""Customers rate closed tickets from 1 to 5 with the buttons under the closing message.

    t1:bot:rating:{ticket_id}   JSON of the ticket's RatingPrompt, kept for RATING_WINDOW after the close
    t1:bot:comment:{chat_id}    the ticket whose comment the chat was invited to give, for COMMENT_WAIT_S

After the first press the customer may add a comment as their next message (one prompt, skippable): a
short remark becomes the review's comment; a message that is clearly a new question (a question mark, a
question word, a file, or a long text) goes on to a new ticket as any message does. The chats waiting
for a comment are kept in Redis for COMMENT_WAIT_S and read back at start, so a restart in between
forgets none; every message is checked against the copy in memory (one poller takes the updates), not
with a Redis call.

The prompt is remembered before the closing message is sent, so every press finds it. A press publishes
a ReviewSubmitted with the whole review (score, comment so far) and the press time: the stats service keeps
each ticket's latest, so the last press wins. Once the prompt has expired (7 days after the close), a
press is answered politely and changes nothing. A press on an older closing message counts for its own
ticket: the ticket id is in the button."""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
import uuid
from dataclasses import asdict, dataclass, replace
from datetime import UTC, datetime

import redis.asyncio as redis_async
from prometheus_client import Counter
from telegram import Bot, InlineKeyboardButton, InlineKeyboardMarkup, Update
from telegram.ext import ContextTypes

from services.bot import customer, texts
from services.bot.incoming import IncomingMessage
from services.bot.telegram_calls import TelegramCaller
from t1.stats.v1 import events_pb2 as stats_events
from t1lib.events import timestamp
from t1lib.kafka.producer import EventProducer

logger = logging.getLogger(__name__)

PREFIX = "t1:bot:rating:"
COMMENT_PREFIX = "t1:bot:comment:"
RATING_WINDOW_S = 7 * 24 * 3600
CALLBACK_PREFIX = "rate"
CALLBACK_PATTERN = rf"^{CALLBACK_PREFIX}:"
SCORES = (1, 2, 3, 4, 5)
_REVIEW_NAMESPACE = uuid.UUID("5b0f3f5e-6d0e-4d8a-9a51-2f1f6c3f7a10")

COMMENT_WAIT_S = 3600.0
LONG_COMMENT_WORDS = 40
QUESTION_START = re.compile(
    r"^\W*(как|почему|зачем|где|когда|что|сколько|какой|какая|какие|можно|подскажите|помогите|"
    r"у меня|не могу|не работает|хочу|how|why|what|where|when|can|could|help|i can't|i cannot)\b",
    re.IGNORECASE,
)

PRESSES = Counter("t1_bot_rating_presses_total", "Rating button presses, by outcome", ["outcome"])


@dataclass(frozen=True)
class RatingPrompt:
    """What a press needs to publish the review: the ticket's customer, operator and close time."""

    ticket_id: str
    chat_id: int
    operator_id: str
    closed_at: datetime
    language_code: str
    score: int = 0
    comment: str = ""

    def to_json(self) -> str:
        return json.dumps({**asdict(self), "closed_at": self.closed_at.isoformat()}, ensure_ascii=False)

    @classmethod
    def from_json(cls, raw: str | bytes) -> RatingPrompt:
        data = json.loads(raw)
        return cls(**{**data, "closed_at": datetime.fromisoformat(data["closed_at"])})


def callback_data(ticket_id: str, score: int) -> str:
    return f"{CALLBACK_PREFIX}:{ticket_id}:{score}"


def parse_callback(data: str | None) -> tuple[str, int] | None:
    """(ticket id, score) of a rating button's data; None for anything else."""
    prefix, _, rest = (data or "").partition(":")
    ticket_id, _, score = rest.rpartition(":")
    if prefix != CALLBACK_PREFIX or not ticket_id or not score.isdigit() or int(score) not in SCORES:
        return None
    return ticket_id, int(score)


def keyboard(ticket_id: str) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(str(score), callback_data=callback_data(ticket_id, score))
                for score in SCORES
            ]
        ]
    )


def review_event_id(callback_query_id: str) -> str:
    """The same press (an update delivered again) gives the same event id, so stats counts it once."""
    return str(uuid.uuid5(_REVIEW_NAMESPACE, f"press:{callback_query_id}"))


def comment_event_id(chat_id: int, message_id: int) -> str:
    return str(uuid.uuid5(_REVIEW_NAMESPACE, f"comment:{chat_id}:{message_id}"))


def is_new_question(text: str, has_files: bool) -> bool:
    """True when a message sent after the rating is clearly a new request rather than a comment."""
    stripped = text.strip()
    return (
        has_files
        or not stripped
        or "?" in stripped
        or bool(QUESTION_START.match(stripped))
        or len(stripped.split()) > LONG_COMMENT_WORDS
    )


def review(prompt: RatingPrompt, *, event_id: str, customer_name: str) -> stats_events.ReviewSubmitted:
    event = stats_events.ReviewSubmitted(
        event_id=event_id,
        occurred_at=timestamp(),
        ticket_id=prompt.ticket_id,
        operator_id=prompt.operator_id,
        rating=prompt.score,
        comment=prompt.comment,
        chat_id=prompt.chat_id,
        customer_name=customer_name,
        rated_at=timestamp(),
    )
    event.ticket_closed_at.FromDatetime(prompt.closed_at)
    return event


class RatingPrompts:
    """The prompts of recently closed tickets, in Redis for RATING_WINDOW_S after each close."""

    def __init__(self, redis: redis_async.Redis, window_s: int = RATING_WINDOW_S) -> None:
        self._redis = redis
        self._window_s = window_s

    async def remember(self, prompt: RatingPrompt) -> None:
        """Keep the prompt (a redelivered close keeps the review given so far and its window)."""
        await self._redis.set(PREFIX + prompt.ticket_id, prompt.to_json(), ex=self._window_s, nx=True)

    async def get(self, ticket_id: str) -> RatingPrompt | None:
        raw = await self._redis.get(PREFIX + ticket_id)
        return None if raw is None else RatingPrompt.from_json(raw)

    async def save(self, prompt: RatingPrompt) -> None:
        """Store the review given so far, leaving the window where it was."""
        await self._redis.set(PREFIX + prompt.ticket_id, prompt.to_json(), keepttl=True, xx=True)


class AwaitedComments:
    """Chats invited to comment on a rating: chat id -> ticket id, in Redis for COMMENT_WAIT_S and in
    memory for the per-message check."""

    def __init__(self, redis: redis_async.Redis, wait_s: float = COMMENT_WAIT_S) -> None:
        self._redis = redis
        self._wait_s = wait_s
        self._local: dict[int, tuple[str, float]] = {}  # chat id -> (ticket id, monotonic deadline)

    async def load(self) -> int:
        """Read the chats still waiting (after a restart); returns how many."""
        now = time.monotonic()
        async for key in self._redis.scan_iter(match=COMMENT_PREFIX + "*", count=500):
            ticket_id, ttl_ms = await asyncio.gather(self._redis.get(key), self._redis.pttl(key))
            name = key.decode() if isinstance(key, bytes) else str(key)
            if ticket_id is None or ttl_ms <= 0 or not name[len(COMMENT_PREFIX) :].lstrip("-").isdigit():
                continue
            ticket = ticket_id.decode() if isinstance(ticket_id, bytes) else str(ticket_id)
            self._local[int(name[len(COMMENT_PREFIX) :])] = (ticket, now + ttl_ms / 1000)
        return len(self._local)

    async def expect(self, chat_id: int, ticket_id: str) -> None:
        self._local[chat_id] = (ticket_id, time.monotonic() + self._wait_s)
        await self._redis.set(COMMENT_PREFIX + str(chat_id), ticket_id, px=int(self._wait_s * 1000))

    async def take(self, chat_id: int) -> str | None:
        """The ticket the chat's next message comments on, once: None when nothing is awaited (or the
        invitation has expired)."""
        awaited = self._local.pop(chat_id, None)
        if awaited is None:
            return None
        await self._redis.delete(COMMENT_PREFIX + str(chat_id))
        ticket_id, until = awaited
        return ticket_id if time.monotonic() <= until else None


class RatingDesk:
    """Handles presses of the rating buttons."""

    def __init__(
        self,
        prompts: RatingPrompts,
        comments: AwaitedComments,
        producer: EventProducer,
        caller: TelegramCaller,
    ) -> None:
        self._prompts = prompts
        self.comments = comments
        self._producer = producer
        self._caller = caller

    async def take_comment(self, bot: Bot, message: IncomingMessage) -> bool:
        """True when `message` was the comment the chat was asked for (published, thanked); False lets it
        go on as a customer message. Either way the chat is asked only once."""
        if message.edited:
            return False
        ticket_id = await self.comments.take(message.chat_id)
        if ticket_id is None:
            return False
        text = message.text or message.caption
        if is_new_question(text, bool(customer.media_of(message))):
            return False
        prompt = await self._prompts.get(ticket_id)
        if prompt is None:
            return False
        prompt = replace(prompt, comment=text.strip())
        sender = message.sender
        name = " ".join(part for part in (sender.first_name, sender.last_name) if part) if sender else ""
        event_id = comment_event_id(message.chat_id, message.message_id)
        await self._producer.publish(review(prompt, event_id=event_id, customer_name=name))
        await self._prompts.save(prompt)
        PRESSES.labels("commented").inc()
        thanks = texts.text_for(texts.COMMENT_THANKS, prompt.language_code)
        await self._caller.call("sendMessage", lambda: bot.send_message(message.chat_id, thanks))
        return True

    async def on_press(self, update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        query = update.callback_query
        if query is None:
            return
        parsed = parse_callback(query.data)
        user = query.from_user
        language = user.language_code if user else None
        if parsed is None:
            PRESSES.labels("unknown").inc()
            await self._caller.call("answerCallbackQuery", lambda: query.answer())
            return
        ticket_id, score = parsed
        prompt = await self._prompts.get(ticket_id)
        if prompt is None:
            PRESSES.labels("expired").inc()
            text = texts.text_for(texts.RATING_EXPIRED, language)
            await self._caller.call("answerCallbackQuery", lambda: query.answer(text))
            return
        first_press = prompt.score == 0
        prompt = replace(prompt, score=score)
        name = user.full_name if user else ""
        await self._producer.publish(review(prompt, event_id=review_event_id(query.id), customer_name=name))
        await self._prompts.save(prompt)
        PRESSES.labels("rated").inc()
        thanks = texts.text_for(texts.RATED, prompt.language_code or language).format(score=score)
        if first_press and not prompt.comment:
            await self.comments.expect(prompt.chat_id, ticket_id)
            thanks += "\n" + texts.text_for(texts.COMMENT_INVITE, prompt.language_code or language)
        await self._caller.call("answerCallbackQuery", lambda: query.answer())
        message = query.message
        if message is not None and getattr(message, "text", None) != thanks:
            await self._caller.call(
                "editMessageText", lambda: query.edit_message_text(thanks, reply_markup=keyboard(ticket_id))
            )


def closed_at_of(stamp_seconds: int) -> datetime:
    """The close time an OperatorReply carries (its occurred_at), or now when it has none."""
    return datetime.fromtimestamp(stamp_seconds, UTC) if stamp_seconds else datetime.now(UTC)
