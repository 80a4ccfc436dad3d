"""Customer messages as the bot reads them: typed, from the Bot API's JSON, without python-telegram-bot.

python-telegram-bot builds a Message of some ninety attributes, each through a Python `__setattr__`, for
every update; that was half of the bot's CPU per customer message. The poller reads plain customer
messages into `IncomingMessage` (the fields the bot uses) and leaves every other update to the library."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

PRIVATE_CHAT = "private"
MEDIA_FIELDS = ("document", "voice", "audio", "video", "video_note")


@dataclass(frozen=True, slots=True)
class Sender:
    id: int
    first_name: str
    last_name: str
    username: str
    language_code: str


@dataclass(frozen=True, slots=True)
class TelegramFile:
    """A photo size, document, voice note, audio, video or video note (the fields a ticket keeps)."""

    file_id: str
    file_unique_id: str
    file_size: int
    file_name: str | None = None
    mime_type: str | None = None
    width: int = 0
    height: int = 0


@dataclass(frozen=True, slots=True)
class IncomingMessage:
    chat_id: int
    chat_type: str
    message_id: int
    date: int  # Unix time, as the Bot API gives it
    edit_date: int | None
    sender: Sender | None
    text: str
    caption: str
    photo: tuple[TelegramFile, ...]
    document: TelegramFile | None
    voice: TelegramFile | None
    audio: TelegramFile | None
    video: TelegramFile | None
    video_note: TelegramFile | None
    starts_with_command: bool
    edited: bool = False

    @classmethod
    def from_api(cls, data: Mapping[str, Any], *, edited: bool = False) -> IncomingMessage:
        """A Bot API Message object (as JSON decodes it); ValueError when a required field is missing or
        of the wrong type."""
        try:
            chat = data["chat"]
            entities = data.get("entities") or ()
            first_entity = entities[0] if entities else {}
            media = {name: _file(data.get(name)) for name in MEDIA_FIELDS}
            return cls(
                chat_id=_int(chat["id"]),
                chat_type=str(chat.get("type", "")),
                message_id=_int(data["message_id"]),
                date=_int(data["date"]),
                edit_date=None if data.get("edit_date") is None else _int(data["edit_date"]),
                sender=_sender(data.get("from")),
                text=_str(data.get("text")),
                caption=_str(data.get("caption")),
                photo=tuple(
                    file for file in (_file(size) for size in data.get("photo") or ()) if file is not None
                ),
                document=media["document"],
                voice=media["voice"],
                audio=media["audio"],
                video=media["video"],
                video_note=media["video_note"],
                starts_with_command=first_entity.get("type") == "bot_command"
                and first_entity.get("offset") == 0,
                edited=edited,
            )
        except (KeyError, TypeError, AttributeError, IndexError) as error:
            raise ValueError(f"not a Telegram message: {error!r}") from error


def _sender(data: Any) -> Sender | None:
    if not isinstance(data, Mapping):
        return None
    return Sender(
        id=_int(data["id"]),
        first_name=_str(data.get("first_name")),
        last_name=_str(data.get("last_name")),
        username=_str(data.get("username")),
        language_code=_str(data.get("language_code")),
    )


def _file(data: Any) -> TelegramFile | None:
    if data is None:
        return None
    if not isinstance(data, Mapping):
        raise TypeError(f"a file is an object, not {type(data).__name__}")
    return TelegramFile(
        file_id=str(data["file_id"]),
        file_unique_id=str(data["file_unique_id"]),
        file_size=_int(data.get("file_size") or 0),
        file_name=None if data.get("file_name") is None else str(data["file_name"]),
        mime_type=None if data.get("mime_type") is None else str(data["mime_type"]),
        width=_int(data.get("width") or 0),
        height=_int(data.get("height") or 0),
    )


def _int(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"expected an integer, got {value!r}")
    return value


def _str(value: Any) -> str:
    if value is None:
        return ""
    if not isinstance(value, str):
        raise TypeError(f"expected a string, got {value!r}")
    return value
