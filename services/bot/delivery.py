"""Delivering operator_replies to customers: at most once per event id (see ledger), files read from S3,
Telegram's flood control and network errors retried, Telegram's refusals dead-lettered. What became of
an operator's message (sent, or failed and why) goes back to message_saver as a DeliveryOutcome, once
Telegram accepted it all, refused it, or the last attempt failed."""

from __future__ import annotations

import asyncio
import logging
import uuid

from minio import Minio
from minio.error import S3Error
from prometheus_client import Counter
from telegram import Bot, InputFile
from telegram import Message as TelegramMessage

from services.bot import ratings
from services.bot.ledger import DeliveryLedger
from services.bot.ratings import RatingPrompt, RatingPrompts
from services.bot.replies import FilePart, Part, RatingPart, TextPart, plan_delivery
from services.bot.telegram_calls import TelegramCaller, is_permanent, permanent
from t1.tickets.v1 import events_pb2 as tickets_events
from t1.tickets.v1 import ticket_pb2 as tickets
from t1lib.errors import PermanentEventError
from t1lib.events import timestamp
from t1lib.kafka.consumer import EventContext
from t1lib.kafka.producer import EventProducer

logger = logging.getLogger(__name__)

REPLIES = Counter("t1_bot_replies_total", "Operator replies handled by the bot, by outcome", ["outcome"])
MISSING_OBJECT_CODES = frozenset({"NoSuchKey", "NoSuchBucket", "NoSuchObject"})
REASON_LIMIT = 500
_OUTCOME_NAMESPACE = uuid.UUID("0b6f3c51-8d2e-4e7a-a4d5-2f61c9e0b3a8")


class RefusedError(PermanentEventError):
    """Telegram refused a part of the reply; `reason` is what it said, for the operator."""

    def __init__(self, message: str, reason: str) -> None:
        super().__init__(message)
        self.reason = reason


def refusal_reason(error: BaseException) -> str:
    """`Forbidden: bot was blocked by the user`: Telegram's words with the kind of refusal."""
    text = str(error).strip()
    kind = type(error).__name__
    return text if text.lower().startswith(kind.lower()) else f"{kind}: {text}"


def outcome_event(
    reply: tickets_events.OperatorReply, status: tickets.DeliveryStatus, reason: str = ""
) -> tickets_events.DeliveryOutcome:
    """What became of `reply`; the same outcome of the same attempt always has the same event id."""
    attempt = reply.delivery_attempt or 1
    return tickets_events.DeliveryOutcome(
        event_id=str(uuid.uuid5(_OUTCOME_NAMESPACE, f"{reply.event_id}:{attempt}:{status}")),
        occurred_at=timestamp(),
        ticket_id=reply.ticket_id,
        message_id=reply.message_id,
        status=status,
        reason=reason[:REASON_LIMIT],
        delivery_attempt=attempt,
        reply_event_id=reply.event_id,
    )


class ReplyDeliverer:
    def __init__(
        self,
        *,
        bot: Bot,
        ledger: DeliveryLedger,
        s3: Minio,
        bucket: str,
        caller: TelegramCaller,
        prompts: RatingPrompts,
        outcomes: EventProducer,
        max_attempts: int,
        claim_wait_s: float = 60.0,
    ) -> None:
        self._bot = bot
        self._outcomes = outcomes
        self._max_attempts = max_attempts
        self._prompts = prompts
        self._ledger = ledger
        self._s3 = s3
        self._bucket = bucket
        self._caller = caller
        self._claim_wait_s = claim_wait_s

    async def handle(self, reply: tickets_events.OperatorReply, context: EventContext) -> None:
        """The operator_replies handler: deliver, then tell message_saver how it went (again for a
        duplicate: the first report may have been lost)."""
        try:
            await self._deliver(reply)
        except RefusedError as error:
            await self._report(reply, tickets.DELIVERY_STATUS_FAILED, error.reason)
            raise
        except PermanentEventError as error:
            await self._report(reply, tickets.DELIVERY_STATUS_FAILED, str(error))
            raise
        except Exception as error:
            if context.attempt >= self._max_attempts:  # the consumer gives up after this one
                reason = f"retries exhausted: {refusal_reason(error)}"
                await self._report(reply, tickets.DELIVERY_STATUS_FAILED, reason)
            raise
        await self._report(reply, tickets.DELIVERY_STATUS_SENT)

    async def _report(
        self, reply: tickets_events.OperatorReply, status: tickets.DeliveryStatus, reason: str = ""
    ) -> None:
        """A DeliveryOutcome for an operator's message (a close has no message to report on)."""
        if reply.kind == tickets_events.OPERATOR_REPLY_KIND_TICKET_CLOSED or not reply.message_id:
            return
        await self._outcomes.publish(outcome_event(reply, status, reason))

    async def _deliver(self, reply: tickets_events.OperatorReply) -> None:
        """Send what was not sent yet, then mark the event done."""
        event_id = reply.event_id
        if await self._ledger.is_done(event_id):
            REPLIES.labels("duplicate").inc()
            logger.info("operator reply %s was delivered before; skipped", event_id)
            return
        try:
            parts = plan_delivery(reply)
        except PermanentEventError:
            REPLIES.labels("rejected").inc()
            raise
        claim = await self._ledger.claim(event_id, self._claim_wait_s)
        if claim is None:
            REPLIES.labels("duplicate").inc()
            return
        async with self._ledger.held(claim):
            sent = await self._ledger.sent_parts(event_id)
            for index, part in enumerate(parts):
                if index in sent:
                    continue
                message = await self._send(reply, part)
                await self._ledger.record_part(event_id, index, message.message_id)
            await self._ledger.mark_done(event_id)
        REPLIES.labels("delivered").inc()
        logger.info(
            "operator reply delivered",
            extra={"fields": {"event_id": event_id, "chat_id": reply.chat_id, "parts": len(parts)}},
        )

    async def _send(self, reply: tickets_events.OperatorReply, part: Part) -> TelegramMessage:
        chat_id = reply.chat_id
        try:
            if isinstance(part, TextPart):
                return await self._caller.call(
                    "sendMessage", lambda: self._bot.send_message(chat_id=chat_id, text=part.text)
                )
            if isinstance(part, RatingPart):
                return await self._send_rating_prompt(reply, part)
            return await self._send_file(chat_id, part)
        except Exception as error:
            if is_permanent(error):
                REPLIES.labels("rejected").inc()
                refused = permanent(error, f"the reply {reply.event_id} to chat {chat_id}")
                raise RefusedError(str(refused), refusal_reason(error)) from error
            raise

    async def _send_rating_prompt(
        self, reply: tickets_events.OperatorReply, part: RatingPart
    ) -> TelegramMessage:
        """Remember the prompt first, so that a press always finds it, then send the buttons."""
        await self._prompts.remember(
            RatingPrompt(
                ticket_id=part.ticket_id,
                chat_id=reply.chat_id,
                operator_id=reply.operator_id,
                closed_at=ratings.closed_at_of(reply.occurred_at.seconds),
                language_code=reply.language_code,
            )
        )
        markup = ratings.keyboard(part.ticket_id)
        return await self._caller.call(
            "sendMessage",
            lambda: self._bot.send_message(chat_id=reply.chat_id, text=part.text, reply_markup=markup),
        )

    async def _send_file(self, chat_id: int, part: FilePart) -> TelegramMessage:
        item = part.attachment
        caption = part.caption or None
        payload: InputFile | str
        if item.s3_key:
            data = await self._read(item.s3_key)
            payload = InputFile(data, filename=item.file_name or "file")
        else:
            payload = item.telegram_file_id
        if part.as_photo:
            return await self._caller.call(
                "sendPhoto", lambda: self._bot.send_photo(chat_id=chat_id, photo=payload, caption=caption)
            )
        return await self._caller.call(
            "sendDocument",
            lambda: self._bot.send_document(chat_id=chat_id, document=payload, caption=caption),
        )

    async def _read(self, key: str) -> bytes:
        def read() -> bytes:
            response = self._s3.get_object(self._bucket, key)
            try:
                return bytes(response.read())
            finally:
                response.close()
                response.release_conn()

        try:
            return await asyncio.to_thread(read)
        except S3Error as error:
            if error.code in MISSING_OBJECT_CODES:
                raise PermanentEventError(f"attachment {key} is not in bucket {self._bucket}") from error
            raise
