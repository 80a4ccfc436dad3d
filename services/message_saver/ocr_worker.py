"""The OCR consumer: text on customers' images, read off the hot path.

A second consumer of `ticket_created` in its own group (`<consumer group>-ocr`), so the intake never waits
for it. For every photo (and image document) of an event it

1. waits until the intake has stored the message (and, for an edit, the edit): a few seconds inside the
   handler, then the handler fails and the consumer retries it with backoff (T1_KAFKA_MAX_ATTEMPTS);
2. reads the file from the private bucket, where the bot copied it under `attachment.s3_key`;
3. runs tesseract (`ocr.Tesseract`: bounded concurrency, niced, timeout, size and pixel limits);
4. stores `ocr_text` (plus `ocr_outcome`, `ocr_languages`, `ocr_at`) into that attachment of the message,
   only while the attachment at that position is still the same file;
5. publishes `ocr_processed`, and `message.updated` when text was found, so operators see it under the photo;
   when the photo opened the ticket without a caption, also `chat_title_request` with the text, so the
   ticket gets a title and a category from what the photo says.

Idempotent: an attachment with `ocr_at` is not recognised again; a redelivered event only publishes again,
with the same event ids (derived from message id, attachment id and object key). A file that is not an
image, too large or unreadable gets empty text; an object missing from S3 after
`ocr_missing_object_attempts` attempts is a PermanentEventError (to `ticket_created.dlq`).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Mapping
from typing import Any

from google.protobuf.message import Message
from minio import Minio
from minio.error import S3Error

from services.message_saver import convert, domain, ocr
from services.message_saver.convert import Doc
from services.message_saver.publisher import Publisher
from services.message_saver.repository import Repository
from t1.tickets.v1 import events_pb2 as tickets_events
from t1lib.errors import PermanentEventError
from t1lib.kafka.consumer import BatchHandler, EventContext, Handler

logger = logging.getLogger(__name__)

MISSING_OBJECT_CODES = frozenset({"NoSuchKey", "NoSuchObject"})
STORED_WAIT_S = 3.0  # how long one attempt waits for the intake to store the message
STORED_POLL_S = 0.05


class MessageNotStoredError(Exception):
    """The intake has not stored the message (or its edit) yet; the consumer retries later."""


class ObjectMissingError(Exception):
    """The attachment's object is not in the bucket."""


class AttachmentFiles:
    """Customers' files in the private bucket, read in a worker thread (minio is synchronous)."""

    def __init__(self, client: Minio, bucket: str, max_bytes: int) -> None:
        self._client = client
        self._bucket = bucket
        self._max_bytes = max_bytes

    async def read(self, key: str) -> bytes | None:
        """The object's bytes; None when it is larger than the limit. Raises ObjectMissingError."""
        return await asyncio.to_thread(self._read, key)

    def _read(self, key: str) -> bytes | None:
        try:
            response = self._client.get_object(self._bucket, key)
        except S3Error as error:
            if error.code in MISSING_OBJECT_CODES:
                raise ObjectMissingError(f"S3 object {self._bucket}/{key} does not exist") from error
            raise  # NoSuchBucket, access denied, …: configuration or outage, retried like any failure
        try:
            length = response.headers.get("Content-Length")
            if length is not None and int(length) > self._max_bytes:
                return None
            data = bytes(response.read(self._max_bytes + 1))
            return None if len(data) > self._max_bytes else data
        finally:
            response.close()
            response.release_conn()


def ocr_source(message_id: str, attachment: Mapping[str, Any]) -> str:
    """What one recognition is about: the same file of the same message always gives the same key."""
    return f"ocr:{message_id}:{attachment['id']}:{attachment['s3_key']}"


def position_of(message: Mapping[str, Any], attachment: Mapping[str, Any]) -> int | None:
    """Index of `attachment` (same id and object key) in the stored message; None when an edit replaced it."""
    for index, stored in enumerate(message.get("attachments", [])):
        if stored.get("id") == attachment["id"] and stored.get("s3_key") == attachment["s3_key"]:
            return index
    return None


class OcrWorker:
    def __init__(
        self,
        repository: Repository,
        publisher: Publisher,
        tesseract: ocr.Tesseract,
        files: AttachmentFiles,
        *,
        max_bytes: int,
        missing_object_attempts: int,
    ) -> None:
        self._repo = repository
        self._publisher = publisher
        self._tesseract = tesseract
        self._files = files
        self._max_bytes = max_bytes
        self._missing_object_attempts = max(1, missing_object_attempts)

    def handlers(self) -> Mapping[type[Message], Handler]:
        return {tickets_events.TicketCreated: self.handle}

    def batch_handlers(self) -> Mapping[type[Message], BatchHandler]:
        return {tickets_events.TicketCreated: self.handle_batch}

    async def handle_batch(self, items: list[tuple[tickets_events.TicketCreated, EventContext]]) -> None:
        """A poll's events: most carry no file and are passed over here, without a span or a retry each;
        chats run concurrently, each chat's events in order. When any chat fails, this raises after every
        chat was tried; the consumer then takes the batch one record at a time, with retries (recognitions
        already stored are not repeated)."""
        by_chat: dict[str | None, list[tuple[tickets_events.TicketCreated, EventContext]]] = {}
        for event, context in items:
            if event.attachments:
                by_chat.setdefault(context.key, []).append((event, context))
        outcomes = await asyncio.gather(
            *(self._handle_in_order(chat_items) for chat_items in by_chat.values()), return_exceptions=True
        )
        for outcome in outcomes:
            if isinstance(outcome, BaseException):
                raise outcome

    async def _handle_in_order(self, items: list[tuple[tickets_events.TicketCreated, EventContext]]) -> None:
        """One chat's events in their order (a message before its edit), as the per-record path runs them."""
        for event, context in items:
            await self.handle(event, context)

    async def handle(self, event: tickets_events.TicketCreated, context: EventContext) -> None:
        if event.chat_id == 0 or event.telegram_message_id == 0:
            return  # the intake dead-letters such events; nothing was stored to add text to
        message_id = domain.customer_message_id(event.chat_id, event.telegram_message_id)
        images = [
            doc
            for doc in convert.attachment_docs(event.attachments, message_id)
            if ocr.is_image_attachment(doc)
        ]
        if not images:
            return
        message = await self._stored_message(event, message_id)
        current = [doc for doc in images if position_of(message, doc) is not None]
        pending = [doc for doc in current if _stored_attachment(message, doc).get("ocr_at") is None]
        results = await self._recognize_all(pending, context)
        for attachment in current:
            result = results.get(str(attachment["id"]))
            if result is not None:
                updated = await self._store(message_id, attachment, result)
                if updated is None:
                    logger.info("attachment replaced by an edit during OCR; result dropped")
                    continue
                message = updated
            stored = _stored_attachment(message, attachment)
            if stored:
                await self._announce(message, stored)

    async def _stored_message(self, event: tickets_events.TicketCreated, message_id: str) -> Doc:
        """The message as the intake stored it (with this event's edit). Both consumers usually get the
        event at the same moment, so wait briefly here; after that, fail and let the consumer retry."""
        delay_s = STORED_POLL_S
        deadline = time.monotonic() + STORED_WAIT_S
        while True:
            message = await self._repo.get_message(message_id)
            if message is not None and _shows(message, event):
                return message
            if time.monotonic() >= deadline:
                what = "message" if message is None else "edit of message"
                raise MessageNotStoredError(f"the {what} {message_id} is not stored yet")
            await asyncio.sleep(delay_s)
            delay_s = min(delay_s * 2, 0.5)

    async def _recognize_all(self, attachments: list[Doc], context: EventContext) -> dict[str, ocr.OcrResult]:
        """Results by attachment id; the images are recognised concurrently, within the Tesseract's bound."""
        if not attachments:
            return {}
        try:
            async with asyncio.TaskGroup() as group:
                tasks = {
                    str(doc["id"]): group.create_task(self._recognize(doc, context)) for doc in attachments
                }
        except BaseExceptionGroup as errors:
            # The consumer tells a rejection (PermanentEventError: DLQ now) from a failure (retry): unwrap.
            first: BaseException = errors.exceptions[0]
            for error in errors.exceptions:
                if isinstance(error, PermanentEventError):
                    first = error
            raise first from None
        return {attachment_id: task.result() for attachment_id, task in tasks.items()}

    async def _recognize(self, attachment: Mapping[str, Any], context: EventContext) -> ocr.OcrResult:
        key = str(attachment["s3_key"])
        if int(attachment.get("size") or 0) > self._max_bytes:
            return ocr.OcrResult("", ocr.Outcome.TOO_LARGE)
        try:
            data = await self._files.read(key)
        except ObjectMissingError as error:
            if context.attempt >= self._missing_object_attempts:
                raise PermanentEventError(f"attachment {attachment['id']}: {error}") from error
            raise
        result = (
            ocr.OcrResult("", ocr.Outcome.TOO_LARGE)
            if data is None
            else await self._tesseract.recognize(data)
        )
        logger.info(
            "attachment OCR done",
            extra={
                "fields": {
                    "attachment_id": attachment["id"],
                    "outcome": str(result.outcome),
                    "ocr_seconds": round(result.seconds, 3),
                    "chars": len(result.text),
                    "bytes": 0 if data is None else len(data),
                }
            },
        )
        return result

    async def _store(
        self, message_id: str, attachment: Mapping[str, Any], result: ocr.OcrResult
    ) -> Doc | None:
        """Write the result into the attachment, provided the message still has that file at that position
        (by index: FerretDB v1 has neither the positional `$` nor arrayFilters)."""
        message = await self._repo.get_message(message_id)
        index = None if message is None else position_of(message, attachment)
        if index is None:
            return None
        path = f"attachments.{index}."
        return await self._repo.update_message(
            message_id,
            {
                path + "ocr_text": result.text,
                path + "ocr_outcome": str(result.outcome),
                path + "ocr_languages": self._tesseract.languages,
                path + "ocr_at": domain.utcnow(),
            },
            {path + "id": attachment["id"], path + "s3_key": attachment["s3_key"]},
        )

    async def _announce(self, message: Doc, attachment: Mapping[str, Any]) -> None:
        source = ocr_source(str(message["_id"]), attachment)
        languages = str(attachment.get("ocr_languages") or self._tesseract.languages)
        await self._publisher.ocr_processed(source, message, attachment, languages)
        if not attachment.get("ocr_text"):
            return  # nothing new to show under the photo
        ticket = await self._repo.get_ticket(str(message["ticket_id"]))
        if ticket is None:
            raise RuntimeError(f"message {message['_id']} points at missing ticket {message['ticket_id']}")
        # One notification per file and version of the message: a customer's edit resets the text, and the
        # text found again after it must not be dropped as a duplicate of the first announcement.
        edited_at = message.get("edited_at")
        version = domain.to_millis(edited_at) if edited_at is not None else 0
        await self._publisher.notify(
            domain.Notification.MESSAGE_UPDATED, f"{source}@{version}", ticket, message
        )
        if opened_by_photo(ticket, message):
            # The title was asked for with "photo" only: ask again with what the photo says, so a
            # photo-only ticket gets a real title and a category (one that an operator set is kept).
            await self._publisher.title_request(source, ticket, [str(attachment["ocr_text"])])


def opened_by_photo(ticket: Mapping[str, Any], message: Mapping[str, Any]) -> bool:
    """The message opened the ticket, without a caption, and the ticket has no category yet."""
    return (
        ticket.get("first_message_id") == message["_id"]
        and not str(message.get("text") or "").strip()
        and not ticket.get("category")
    )


def _shows(message: Mapping[str, Any], event: tickets_events.TicketCreated) -> bool:
    """Whether the stored message has this event applied: any stored version for a new message; for an
    edit, this edit or a later one."""
    if not event.edited:
        return True
    edited_at = convert.moment(event.sent_at, convert.moment(event.occurred_at, domain.EPOCH))
    stored_edit = message.get("edited_at")
    return bool(message.get("edited")) and stored_edit is not None and stored_edit >= edited_at


def _stored_attachment(message: Mapping[str, Any], attachment: Mapping[str, Any]) -> Doc:
    index = position_of(message, attachment)
    return {} if index is None else dict(message["attachments"][index])
