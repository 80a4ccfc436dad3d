"""The Bot API methods: parameters as Telegram reads them (query string, JSON, form or multipart; objects as
JSON strings), answers and errors as Telegram gives them."""

from __future__ import annotations

import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from fakes.telegram.state import (
    CAPTION_LIMIT,
    DOWNLOAD_LIMIT,
    JSON,
    NOT_MODIFIED,
    TEXT_LIMIT,
    ApiError,
    Chat,
    StoredFile,
    TelegramState,
    Upload,
    Webhook,
    bad_request,
)
from fakes.telegram.text import EntityParseError, parse_text, utf16_len

CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
TRUE_VALUES = frozenset({"true", "1", "yes", "on"})
SECRET_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-")


class Params:
    """A method's parameters. Values from forms and query strings are strings; objects are JSON strings."""

    def __init__(self, values: dict[str, Any], uploads: dict[str, Upload]) -> None:
        self.values = values
        self.uploads = uploads

    def raw(self, name: str) -> Any:
        value = self.values.get(name)
        return None if value in (None, "") else value

    def text(self, name: str) -> str | None:
        value = self.raw(name)
        return None if value is None else str(value)

    def integer(self, name: str, missing: str | None = None) -> int | None:
        value = self.raw(name)
        if value is None:
            if missing:
                raise bad_request(missing)
            return None
        try:
            return int(value)
        except (TypeError, ValueError):
            raise bad_request(f"invalid {name} specified") from None

    def flag(self, name: str) -> bool:
        value = self.raw(name)
        return value is True or str(value).lower() in TRUE_VALUES

    def object(self, name: str, what: str | None = None) -> Any:
        value = self.raw(name)
        if isinstance(value, str):
            try:
                return json.loads(value)
            except ValueError:
                raise bad_request(f"can't parse {what or name} JSON object") from None
        return value

    def chat(self, state: TelegramState) -> Chat:
        value = self.raw("chat_id")
        if value is None:
            raise bad_request("chat_id is empty")
        if isinstance(value, str) and value.startswith("@"):
            chat = state.chat_by_username(value[1:])
            return state.chat_for_bot(chat.id)
        try:
            chat_id = int(value)
        except (TypeError, ValueError):
            raise bad_request("chat not found") from None
        return state.chat_for_bot(chat_id)

    def input_file(self, name: str) -> Upload | str | None:
        """An uploaded part named `name`, a part referenced as attach://<part>, or a file_id/URL string."""
        if name in self.uploads:
            return self.uploads[name]
        value = self.text(name)
        if value is not None and value.startswith("attach://"):
            upload = self.uploads.get(value.removeprefix("attach://"))
            if upload is None:
                raise bad_request(f"file {value} not found in the request")
            return upload
        return value

    def summary(self) -> JSON:
        """JSON-safe parameters for the call log (uploads by name, type and size)."""
        summary: JSON = {}
        for key, value in self.values.items():
            summary[key] = (
                value
                if isinstance(value, str | int | float | bool | list | dict) or value is None
                else str(value)
            )
        for key, upload in self.uploads.items():
            summary[key] = {
                "filename": upload.filename,
                "content_type": upload.content_type,
                "size": len(upload.data),
            }
        return summary


@dataclass(frozen=True)
class Answer:
    result: Any
    description: str | None = None


MethodHandler = Callable[[TelegramState, Params], Awaitable[Any]]


@dataclass(frozen=True)
class Method:
    name: str
    handler: MethodHandler


METHODS: dict[str, Method] = {}


def method(name: str) -> Callable[[MethodHandler], MethodHandler]:
    def register(handler: MethodHandler) -> MethodHandler:
        METHODS[name.lower()] = Method(name, handler)
        return handler

    return register


def find_method(name: str) -> Method | None:
    return METHODS.get(name.lower())


# --- helpers shared by the send and edit methods ------------------------------------------------------


def formatted(params: Params, text_key: str, entities_key: str) -> tuple[str | None, list[JSON]]:
    text = params.text(text_key)
    if text is None:
        return None, []
    parse_mode = params.text("parse_mode")
    explicit = params.object(entities_key, "entities")
    try:
        plain, entities = parse_text(text, parse_mode)
    except EntityParseError as error:
        raise bad_request(f"can't parse entities: {error}") from None
    if isinstance(explicit, list) and not parse_mode:
        entities = [entity for entity in explicit if isinstance(entity, dict)]
    return plain, entities


def reply_markup(params: Params) -> JSON | None:
    markup = params.object("reply_markup", "reply keyboard markup")
    if markup is None:
        return None
    if not isinstance(markup, dict):
        raise bad_request("can't parse reply keyboard markup JSON object")
    keyboard = markup.get("inline_keyboard")
    if keyboard is not None:
        if not isinstance(keyboard, list) or not all(isinstance(row, list) for row in keyboard):
            raise bad_request(
                'field "inline_keyboard" of the InlineKeyboardMarkup must be an Array of Arrays'
            )
        for row in keyboard:
            for button in row:
                if not isinstance(button, dict) or not button.get("text"):
                    raise bad_request("BUTTON_TEXT_INVALID")
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise bad_request("BUTTON_DATA_INVALID")
        return {"inline_keyboard": keyboard}
    return None  # reply keyboards are not part of a Message object


def common_fields(state: TelegramState, chat: Chat, params: Params) -> JSON:
    fields: JSON = {}
    reply_to = params.integer("reply_to_message_id")
    reply_parameters = params.object("reply_parameters")
    if isinstance(reply_parameters, dict) and reply_parameters.get("message_id"):
        reply_to = int(reply_parameters["message_id"])
    fields.update(state.reply_fields(chat, reply_to))
    markup = reply_markup(params)
    if markup is not None:
        fields["reply_markup"] = markup
    if params.flag("protect_content"):
        fields["has_protected_content"] = True
    return fields


def bot_message_to_edit(state: TelegramState, params: Params) -> tuple[Chat, Any]:
    if params.raw("inline_message_id") is not None:
        raise bad_request("MESSAGE_ID_INVALID")
    chat = params.chat(state)
    message_id = params.integer("message_id", missing="message identifier is not specified")
    assert message_id is not None
    stored = state.message(chat.id, message_id)
    if stored is None:
        raise bad_request("message to edit not found")
    if not stored.from_bot:
        raise bad_request("message can't be edited")
    return chat, stored


def set_markup(payload: JSON, markup: JSON | None) -> None:
    if markup is None:
        payload.pop("reply_markup", None)
    else:
        payload["reply_markup"] = markup


# --- methods ------------------------------------------------------------------------------------------


@method("getMe")
async def get_me(state: TelegramState, _params: Params) -> Any:
    return dict(state.bot_user)


@method("logOut")
async def log_out(_state: TelegramState, _params: Params) -> Any:
    return True


@method("close")
async def close(_state: TelegramState, _params: Params) -> Any:
    return True


@method("getUpdates")
async def get_updates(state: TelegramState, params: Params) -> Any:
    if state.webhook is not None:
        raise ApiError(
            409,
            "Conflict: can't use getUpdates method while webhook is active; "
            "use deleteWebhook to delete the webhook first",
        )
    offset = params.integer("offset")
    limit = min(max(params.integer("limit") or 100, 1), 100)
    timeout_s = max(params.integer("timeout") or 0, 0)
    allowed = params.object("allowed_updates")
    if isinstance(allowed, list):
        state.allowed_updates = [str(kind) for kind in allowed] or None
    if offset is not None:
        state.confirm(offset)
    state.poll_generation += 1
    generation = state.poll_generation
    state.changed()  # an earlier getUpdates still waiting ends with 409, as in Telegram
    deadline = time.monotonic() + timeout_s
    while True:
        if state.pending:
            return state.pending_head(limit)
        remaining = deadline - time.monotonic()
        if remaining <= 0 or state.closing:
            return []
        await state.wait_changed(remaining)
        if state.poll_generation != generation:
            raise ApiError(
                409,
                "Conflict: terminated by other getUpdates request; "
                "make sure that only one bot instance is running",
            )
        if state.webhook is not None:
            return []


@method("setWebhook")
async def set_webhook(state: TelegramState, params: Params) -> Any:
    url = params.text("url") or ""
    if not url:
        state.webhook = None
        return Answer(True, "Webhook was deleted")
    if not url.startswith(("https://", "http://")):
        raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
    secret = params.text("secret_token")
    if secret is not None and (len(secret) > 256 or not set(secret) <= SECRET_CHARS):
        raise bad_request("secret token contains unallowed characters")
    max_connections = params.integer("max_connections") or 40
    if not 1 <= max_connections <= 100:
        raise bad_request("bad webhook: max_connections must be between 1 and 100")
    allowed = params.object("allowed_updates")
    if isinstance(allowed, list):
        state.allowed_updates = [str(kind) for kind in allowed] or None
    if params.flag("drop_pending_updates"):
        state.pending.clear()
    already = state.webhook is not None and state.webhook.url == url
    state.webhook = Webhook(
        url=url, secret_token=secret, max_connections=max_connections, ip_address=params.text("ip_address")
    )
    state.poll_generation += 1  # a waiting getUpdates ends
    state.changed()
    return Answer(True, "Webhook is already set" if already else "Webhook was set")


@method("deleteWebhook")
async def delete_webhook(state: TelegramState, params: Params) -> Any:
    existed = state.webhook is not None
    state.webhook = None
    if params.flag("drop_pending_updates"):
        state.pending.clear()
    state.changed()
    return Answer(True, "Webhook was deleted" if existed else "Webhook is already deleted")


@method("getWebhookInfo")
async def get_webhook_info(state: TelegramState, _params: Params) -> Any:
    info: JSON = {
        "url": state.webhook.url if state.webhook else "",
        "has_custom_certificate": False,
        "pending_update_count": len(state.pending),
    }
    if state.webhook is not None:
        info["max_connections"] = state.webhook.max_connections
        if state.webhook.ip_address:
            info["ip_address"] = state.webhook.ip_address
        if state.webhook.last_error_date:
            info["last_error_date"] = state.webhook.last_error_date
            info["last_error_message"] = state.webhook.last_error_message
    if state.allowed_updates:
        info["allowed_updates"] = list(state.allowed_updates)
    return info


@method("setMyCommands")
async def set_my_commands(state: TelegramState, params: Params) -> Any:
    commands = params.object("commands")
    if not isinstance(commands, list):
        raise bad_request('parameter "commands" is required')
    state.bot_commands = commands
    return True


@method("getMyCommands")
async def get_my_commands(state: TelegramState, _params: Params) -> Any:
    return list(state.bot_commands)


@method("deleteMyCommands")
async def delete_my_commands(state: TelegramState, _params: Params) -> Any:
    state.bot_commands = []
    return True


@method("getChat")
async def get_chat(state: TelegramState, params: Params) -> Any:
    chat = params.chat(state)
    return {**chat.describe(), "accent_color_id": 0, "max_reaction_count": 11, "accepted_gift_types": {}}


@method("sendMessage")
async def send_message(state: TelegramState, params: Params) -> Any:
    chat = params.chat(state)
    text, entities = formatted(params, "text", "entities")
    if not text or not text.strip():
        raise bad_request("message text is empty")
    if utf16_len(text) > TEXT_LIMIT:
        raise bad_request("message is too long")
    fields: JSON = {"text": text, **({"entities": entities} if entities else {})}
    fields.update(common_fields(state, chat, params))
    return state.bot_message(chat, "sendMessage", fields).payload


async def send_media(state: TelegramState, params: Params, kind: str, method_name: str) -> Any:
    chat = params.chat(state)
    value = params.input_file(kind)
    if value is None:
        raise bad_request(f"there is no {kind} in the request")
    stored: list[StoredFile]
    if isinstance(value, Upload):
        stored = state.store_upload(kind, value, duration=params.integer("duration") or 0)
    elif value.startswith(("http://", "https://")):
        raise bad_request("wrong file identifier/HTTP URL specified")  # the fake does not fetch URLs
    else:
        known = state.file(value)
        if (known.kind == "photo") != (kind == "photo") or (kind != "document" and known.kind != kind):
            raise bad_request("type of file mismatch")
        stored = [state.files[file_id] for file_id in known.photo_set] if kind == "photo" else [known]
    caption, entities = formatted(params, "caption", "caption_entities")
    if caption is not None and utf16_len(caption) > CAPTION_LIMIT:
        raise bad_request("message caption is too long")
    options = {key: params.raw(key) for key in ("duration", "title", "performer")}
    fields = state.media_fields(kind, stored, options)
    if caption:
        fields["caption"] = caption
        if entities:
            fields["caption_entities"] = entities
    if params.flag("has_spoiler"):
        fields["has_media_spoiler"] = True
    fields.update(common_fields(state, chat, params))
    return state.bot_message(chat, method_name, fields, [stored[-1].file_id]).payload


@method("sendPhoto")
async def send_photo(state: TelegramState, params: Params) -> Any:
    return await send_media(state, params, "photo", "sendPhoto")


@method("sendDocument")
async def send_document(state: TelegramState, params: Params) -> Any:
    return await send_media(state, params, "document", "sendDocument")


@method("sendVoice")
async def send_voice(state: TelegramState, params: Params) -> Any:
    return await send_media(state, params, "voice", "sendVoice")


@method("sendAudio")
async def send_audio(state: TelegramState, params: Params) -> Any:
    return await send_media(state, params, "audio", "sendAudio")


@method("sendVideo")
async def send_video(state: TelegramState, params: Params) -> Any:
    return await send_media(state, params, "video", "sendVideo")


@method("sendChatAction")
async def send_chat_action(state: TelegramState, params: Params) -> Any:
    chat = params.chat(state)
    action = params.text("action")
    if action not in CHAT_ACTIONS:
        raise bad_request("wrong parameter action in request")
    state.set_action(chat, action)
    return True


@method("getFile")
async def get_file(state: TelegramState, params: Params) -> Any:
    file_id = params.text("file_id")
    if not file_id:
        raise bad_request("file_id not specified")
    stored = state.files.get(file_id)
    if stored is None:
        raise bad_request("invalid file_id")
    if len(stored.data) > DOWNLOAD_LIMIT:
        raise bad_request("file is too big")
    return stored.describe()


@method("answerCallbackQuery")
async def answer_callback_query(state: TelegramState, params: Params) -> Any:
    query_id = params.text("callback_query_id")
    if not query_id:
        raise bad_request("QUERY_ID_INVALID")
    query = state.callback_queries.get(query_id)
    if query is None or query["answer"] is not None:
        raise bad_request("query is too old and response timeout expired or query ID is invalid")
    query["answer"] = {
        "text": params.text("text"),
        "show_alert": params.flag("show_alert"),
        "url": params.text("url"),
        "at": time.time(),
    }
    message = query["query"].get("message", {})
    stored = state.message(int(message.get("chat", {}).get("id", 0)), int(message.get("message_id", 0)))
    if stored is not None:
        state.touch(stored)
    state.changed()
    return True


@method("editMessageText")
async def edit_message_text(state: TelegramState, params: Params) -> Any:
    _chat, stored = bot_message_to_edit(state, params)
    text, entities = formatted(params, "text", "entities")
    if not text or not text.strip():
        raise bad_request("message text is empty")
    if "text" not in stored.payload:
        raise bad_request("there is no text in the message to edit")
    if utf16_len(text) > TEXT_LIMIT:
        raise bad_request("message is too long")
    markup = reply_markup(params)
    if (
        stored.payload["text"] == text
        and stored.payload.get("entities", []) == entities
        and stored.payload.get("reply_markup") == markup
    ):
        raise bad_request(NOT_MODIFIED)
    stored.payload["text"] = text
    stored.payload.pop("entities", None)
    if entities:
        stored.payload["entities"] = entities
    set_markup(stored.payload, markup)
    stored.payload["edit_date"] = int(time.time())
    state.touch(stored)
    return dict(stored.payload)


@method("editMessageCaption")
async def edit_message_caption(state: TelegramState, params: Params) -> Any:
    _chat, stored = bot_message_to_edit(state, params)
    if "text" in stored.payload:
        raise bad_request("there is no caption in the message to edit")
    caption, entities = formatted(params, "caption", "caption_entities")
    if caption is not None and utf16_len(caption) > CAPTION_LIMIT:
        raise bad_request("message caption is too long")
    markup = reply_markup(params)
    if stored.payload.get("caption") == caption and stored.payload.get("reply_markup") == markup:
        raise bad_request(NOT_MODIFIED)
    for key in ("caption", "caption_entities"):
        stored.payload.pop(key, None)
    if caption:
        stored.payload["caption"] = caption
        if entities:
            stored.payload["caption_entities"] = entities
    set_markup(stored.payload, markup)
    stored.payload["edit_date"] = int(time.time())
    state.touch(stored)
    return dict(stored.payload)


@method("editMessageReplyMarkup")
async def edit_message_reply_markup(state: TelegramState, params: Params) -> Any:
    _chat, stored = bot_message_to_edit(state, params)
    markup = reply_markup(params)
    if stored.payload.get("reply_markup") == markup:
        raise bad_request(NOT_MODIFIED)
    set_markup(stored.payload, markup)
    stored.payload["edit_date"] = int(time.time())
    state.touch(stored)
    return dict(stored.payload)


async def call(state: TelegramState, name: str, params: Params) -> Any:
    """Run a method by (case-insensitive) name; ApiError for an unknown one."""
    found = find_method(name)
    if found is None:
        raise ApiError(404, "Not Found")
    return await found.handler(state, params)
