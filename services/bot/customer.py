"""Customer messages as events: which files a Telegram message carries, where they go in S3, and the
TicketCreated built from the message. Plain functions of `IncomingMessage`; no I/O."""

from __future__ import annotations

import mimetypes
import re
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any

from services.bot.incoming import PRIVATE_CHAT, IncomingMessage, Sender
from t1.tickets.v1 import events_pb2 as tickets_events
from t1.tickets.v1 import ticket_pb2 as tickets
from t1lib.events import new_event, timestamp
from t1lib.filetypes import is_inline_image

# getFile serves files up to this size; larger ones reach the ticket without a copy in S3.
TELEGRAM_DOWNLOAD_LIMIT = 20 * 1024 * 1024
_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\]+")
_ATTACHMENT_NAMESPACE = uuid.UUID("0d6f0f4e-3f6e-4c8e-9d38-7a1b2c3d4e5f")


@dataclass(frozen=True)
class MediaRef:
    """A file of a Telegram message, before it is copied to S3."""

    kind: tickets.AttachmentKind
    file_id: str
    file_unique_id: str
    file_name: str
    mime_type: str
    size: int

    @property
    def downloadable(self) -> bool:
        return self.size <= TELEGRAM_DOWNLOAD_LIMIT

    def as_found(self, mime_type: str) -> MediaRef:
        """This file under the type its bytes showed: a "photo" whose bytes are no picture is a document."""
        photo = self.kind == tickets.ATTACHMENT_KIND_PHOTO
        kind = tickets.ATTACHMENT_KIND_DOCUMENT if photo and not is_inline_image(mime_type) else self.kind
        return replace(self, mime_type=mime_type, kind=kind)


def _name(given: str | None, prefix: str, unique_id: str, mime_type: str, default_ext: str) -> str:
    if given:
        cleaned = _UNSAFE_NAME.sub("_", given).strip(" .")
        if cleaned:
            return cleaned[:200]
    extension = mimetypes.guess_extension(mime_type) or default_ext
    if extension == ".oga":
        extension = ".ogg"
    return f"{prefix}_{unique_id}{extension}"


def media_of(message: IncomingMessage) -> list[MediaRef]:
    """The files of a message: the largest size of a photo, a document, a voice note, audio or video."""
    found: list[MediaRef] = []
    if message.photo:
        largest = max(message.photo, key=lambda size: (size.width * size.height, size.file_size))
        found.append(
            MediaRef(
                kind=tickets.ATTACHMENT_KIND_PHOTO,
                file_id=largest.file_id,
                file_unique_id=largest.file_unique_id,
                file_name=f"photo_{largest.file_unique_id}.jpg",
                mime_type="image/jpeg",
                size=largest.file_size,
            )
        )
    document = message.document
    if document is not None:
        mime = document.mime_type or "application/octet-stream"
        found.append(
            MediaRef(
                kind=tickets.ATTACHMENT_KIND_DOCUMENT,
                file_id=document.file_id,
                file_unique_id=document.file_unique_id,
                file_name=_name(document.file_name, "document", document.file_unique_id, mime, ".bin"),
                mime_type=mime,
                size=document.file_size,
            )
        )
    voice = message.voice
    if voice is not None:
        mime = voice.mime_type or "audio/ogg"
        found.append(
            MediaRef(
                kind=tickets.ATTACHMENT_KIND_VOICE,
                file_id=voice.file_id,
                file_unique_id=voice.file_unique_id,
                file_name=_name(None, "voice", voice.file_unique_id, mime, ".ogg"),
                mime_type=mime,
                size=voice.file_size,
            )
        )
    audio = message.audio
    if audio is not None:
        mime = audio.mime_type or "audio/mpeg"
        found.append(
            MediaRef(
                kind=tickets.ATTACHMENT_KIND_AUDIO,
                file_id=audio.file_id,
                file_unique_id=audio.file_unique_id,
                file_name=_name(audio.file_name, "audio", audio.file_unique_id, mime, ".mp3"),
                mime_type=mime,
                size=audio.file_size,
            )
        )
    for video, prefix in ((message.video, "video"), (message.video_note, "video_note")):
        if video is None:
            continue
        mime = video.mime_type or "video/mp4"
        given = video.file_name
        found.append(
            MediaRef(
                kind=tickets.ATTACHMENT_KIND_VIDEO,
                file_id=video.file_id,
                file_unique_id=video.file_unique_id,
                file_name=_name(given, prefix, video.file_unique_id, mime, ".mp4"),
                mime_type=mime,
                size=video.file_size,
            )
        )
    return found


def is_supported(message: IncomingMessage) -> bool:
    """Whether the message carries something a ticket can hold (text, caption or a supported file)."""
    return bool(message.text.strip() or message.caption.strip() or media_of(message))


def plain_customer_message(update: Mapping[str, Any]) -> IncomingMessage | None:
    """The message of an update the bot takes without python-telegram-bot: a new or edited message in a
    private chat from a person, not starting with a command, with something a ticket can hold. None for
    anything else (and for an update that does not parse), which the library's handlers then take."""
    edited = "edited_message" in update
    data = update.get("edited_message") if edited else update.get("message")
    if not isinstance(data, Mapping):
        return None
    try:
        message = IncomingMessage.from_api(data, edited=edited)
    except ValueError:
        return None
    if message.chat_type != PRIVATE_CHAT or message.sender is None or message.starts_with_command:
        return None
    return message if is_supported(message) else None


def s3_key(chat_id: int, message_id: int, ref: MediaRef) -> str:
    """Where a customer's file lives in the private bucket; stable, so a retried copy overwrites itself."""
    return f"telegram/{chat_id}/{message_id}/{ref.file_unique_id}/{ref.file_name}"


def attachment_id(chat_id: int, message_id: int, ref: MediaRef) -> str:
    """A stable id: the same Telegram file of the same message always gets the same attachment id."""
    return str(uuid.uuid5(_ATTACHMENT_NAMESPACE, f"telegram:{chat_id}:{message_id}:{ref.file_unique_id}"))


def attachment(chat_id: int, message_id: int, ref: MediaRef, *, key: str, size: int) -> tickets.Attachment:
    return tickets.Attachment(
        id=attachment_id(chat_id, message_id, ref),
        kind=ref.kind,
        mime_type=ref.mime_type,
        file_name=ref.file_name,
        size=size,
        s3_key=key,
        telegram_file_id=ref.file_id,
    )


def customer_of(sender: Sender | None, chat_id: int) -> tickets.Customer:
    if sender is None:
        return tickets.Customer(chat_id=chat_id)
    return tickets.Customer(
        telegram_user_id=sender.id,
        chat_id=chat_id,
        first_name=sender.first_name,
        last_name=sender.last_name,
        username=sender.username,
        language_code=sender.language_code,
    )


def ticket_created(
    message: IncomingMessage, attachments: list[tickets.Attachment]
) -> tickets_events.TicketCreated:
    """The event for a customer's message (or for its edit, flagged, with sent_at = the edit time)."""
    sent = message.edit_date if message.edited and message.edit_date else message.date
    return new_event(
        tickets_events.TicketCreated,
        chat_id=message.chat_id,
        customer=customer_of(message.sender, message.chat_id),
        telegram_message_id=message.message_id,
        text=message.text or message.caption,
        attachments=attachments,
        edited=message.edited,
        sent_at=timestamp(datetime.fromtimestamp(sent, UTC)) if sent else timestamp(),
    )
