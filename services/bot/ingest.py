"""Customer messages into Kafka: copy each file from Telegram into the private S3 bucket, then publish one
TicketCreated. Each step is retried; the event is built once, so a retried publish keeps its event id."""

from __future__ import annotations

import asyncio
import io
import logging
from collections.abc import Awaitable, Callable
from typing import TypeVar

from minio import Minio
from minio.error import S3Error
from minio.helpers import DictType
from prometheus_client import Counter
from telegram import Bot

from services.bot import customer
from services.bot.customer import MediaRef
from services.bot.incoming import IncomingMessage
from services.bot.telegram_calls import TelegramCaller, is_permanent
from t1.tickets.v1 import events_pb2 as tickets_events
from t1.tickets.v1 import ticket_pb2 as tickets
from t1lib.filetypes import detect_mime_type, object_headers
from t1lib.kafka.producer import EventProducer

logger = logging.getLogger(__name__)

T = TypeVar("T")
MESSAGES = Counter("t1_bot_customer_messages_total", "Customer messages published, by kind", ["kind"])


class CustomerIngest:
    def __init__(
        self,
        *,
        producer: EventProducer,
        s3: Minio,
        bucket: str,
        caller: TelegramCaller,
        attempts: int = 5,
        backoff_s: float = 0.5,
    ) -> None:
        self._producer = producer
        self._s3 = s3
        self._bucket = bucket
        self._caller = caller
        self._attempts = max(1, attempts)
        self._backoff_s = backoff_s

    async def ingest(self, bot: Bot, message: IncomingMessage) -> tickets_events.TicketCreated:
        """Copy the message's files to S3 and publish its TicketCreated; returns the published event."""
        attachments = [await self._copy(bot, message, ref) for ref in customer.media_of(message)]
        event = customer.ticket_created(message, attachments)
        await self._retrying("publish ticket_created", lambda: self._producer.publish(event))
        MESSAGES.labels("edited" if message.edited else ("media" if attachments else "text")).inc()
        logger.debug(
            "customer message published",
            extra={
                "fields": {
                    "event_id": event.event_id,
                    "chat_id": event.chat_id,
                    "telegram_message_id": event.telegram_message_id,
                    "attachments": len(attachments),
                    "edited": message.edited,
                }
            },
        )
        return event

    async def _copy(self, bot: Bot, message: IncomingMessage, ref: MediaRef) -> tickets.Attachment:
        key = customer.s3_key(message.chat_id, message.message_id, ref)
        if not ref.downloadable:
            logger.warning("file %s is too big for the Bot API; sent without a copy", ref.file_unique_id)
            return customer.attachment(message.chat_id, message.message_id, ref, key="", size=ref.size)
        stored = await self._retrying(f"check {key}", lambda: self._stored(key))
        if stored is not None:  # copied before (an edit, or a retry after a failed publish)
            size, mime_type = stored
            found = ref.as_found(mime_type) if mime_type else ref
            return customer.attachment(message.chat_id, message.message_id, found, key=key, size=size)

        async def download() -> bytes:
            file = await self._caller.call("getFile", lambda: bot.get_file(ref.file_id))
            return bytes(await self._caller.call("download", file.download_as_bytearray))

        data = await self._retrying(f"download {ref.file_unique_id}", download)
        # Telegram passes on what the customer's app claims; the bytes say what the file is.
        found = ref.as_found(detect_mime_type(data, ref.mime_type))
        await self._retrying(f"store {key}", lambda: self._put(key, data, found))
        return customer.attachment(message.chat_id, message.message_id, found, key=key, size=len(data))

    async def _stored(self, key: str) -> tuple[int, str] | None:
        """(size, content type) of the object at `key`, None when there is none."""
        try:
            stat = await asyncio.to_thread(self._s3.stat_object, self._bucket, key)
        except S3Error as error:
            if error.code in ("NoSuchKey", "NoSuchObject", "ResourceNotFound"):
                return None
            raise
        return None if stat.size is None else (int(stat.size), stat.content_type or "")

    async def _put(self, key: str, data: bytes, ref: MediaRef) -> None:
        headers: DictType = dict(object_headers(ref.mime_type, ref.file_name))
        await asyncio.to_thread(
            self._s3.put_object,
            self._bucket,
            key,
            io.BytesIO(data),
            len(data),
            content_type=ref.mime_type,
            metadata=headers,
        )

    async def _retrying(self, what: str, step: Callable[[], Awaitable[T]]) -> T:
        for attempt in range(1, self._attempts + 1):
            try:
                return await step()
            except Exception as error:
                if is_permanent(error) or attempt == self._attempts:
                    raise
                delay = self._backoff_s * 2 ** (attempt - 1)
                logger.warning(
                    "%s failed (%r); attempt %d/%d in %.1f s", what, error, attempt + 1, self._attempts, delay
                )
                await asyncio.sleep(delay)
        raise AssertionError("unreachable")
