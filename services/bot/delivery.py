"""Delivering operator_replies to customers: at most once per event id (see ledger), files read from S3,
Telegram's flood control and network errors retried, Telegram's refusals dead-lettered."""

from __future__ import annotations

import asyncio
import logging

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
from t1lib.errors import PermanentEventError
from t1lib.kafka.consumer import EventContext

logger = logging.getLogger(__name__)

REPLIES = Counter("t1_bot_replies_total", "Operator replies handled by the bot, by outcome", ["outcome"])
MISSING_OBJECT_CODES = frozenset({"NoSuchKey", "NoSuchBucket", "NoSuchObject"})


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
        claim_wait_s: float = 60.0,
    ) -> None:
        self._bot = bot
        self._prompts = prompts
        self._ledger = ledger
        self._s3 = s3
        self._bucket = bucket
        self._caller = caller
        self._claim_wait_s = claim_wait_s

    async def handle(self, reply: tickets_events.OperatorReply, context: EventContext) -> None:
        """The operator_replies handler: send what was not sent yet, then mark the event done."""
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
                raise permanent(error, f"the reply {reply.event_id} to chat {chat_id}") from error
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
