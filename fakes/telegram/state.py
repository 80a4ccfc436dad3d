"""The fake's in-memory world: one bot, private chats with customers, their messages and files, the queue of
updates the bot has not confirmed yet, the webhook, injected faults and a log of every API call.

Everything runs on one asyncio loop, so the state needs no locks; waiters are woken through `changed()`."""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import secrets
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from fakes.telegram import media
from fakes.telegram.text import auto_entities

JSON = dict[str, Any]
T = TypeVar("T")

UPDATE_KINDS = ("message", "edited_message", "callback_query", "my_chat_member")
# Telegram's default when allowed_updates is unset or empty.
DEFAULT_EXCLUDED_UPDATES = ("chat_member", "message_reaction", "message_reaction_count")

TEXT_LIMIT = 4096
CAPTION_LIMIT = 1024
# The call log keeps the newest calls only (the sandbox and the tests read recent ones).
CALL_LOG_LIMIT = 10_000
DOWNLOAD_LIMIT = 20 * 1024 * 1024
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly the same as a "
    "current content and reply markup of the message"
)


class ApiError(Exception):
    """An answer of the Bot API other than ok: {"ok": false, "error_code": N, "description": "..."}."""

    def __init__(self, status: int, description: str, parameters: JSON | None = None) -> None:
        super().__init__(description)
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSON:
        body: JSON = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            body["parameters"] = self.parameters
        return body


def bad_request(problem: str) -> ApiError:
    return ApiError(400, f"Bad Request: {problem}")


@dataclass(frozen=True)
class Upload:
    """A file part of a multipart request."""

    filename: str | None
    content_type: str | None
    data: bytes


@dataclass
class StoredFile:
    file_id: str
    file_unique_id: str
    kind: str
    data: bytes
    file_path: str
    mime_type: str
    file_name: str | None = None
    width: int = 0
    height: int = 0
    duration: int = 0
    # For photos: the file ids of every size of the same photo, smallest first.
    photo_set: tuple[str, ...] = ()

    def describe(self) -> JSON:
        """What getFile answers."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": len(self.data),
            "file_path": self.file_path,
        }

    @property
    def content_type(self) -> str:
        """What the bytes are (the fake keeps photos as uploaded, where Telegram would re-encode to JPEG)."""
        info = media.image_info(self.data) if self.kind == "photo" else None
        return info[0] if info else self.mime_type

    def summary(self) -> JSON:
        """How the sandbox lists a downloadable file."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "kind": self.kind,
            "file_name": self.file_name,
            "mime_type": self.mime_type,
            "file_size": len(self.data),
            "width": self.width or None,
            "height": self.height or None,
            "url": f"/sandbox/files/{self.file_id}",
        }


@dataclass
class StoredMessage:
    chat_id: int
    message_id: int
    from_bot: bool
    payload: JSON
    seq: int
    method: str
    file_ids: list[str] = field(default_factory=list)
    # When the fake stored it (time.time()): benchmarks time a reply from the operator's POST to here.
    at: float = field(default_factory=time.time)

    @property
    def text(self) -> str | None:
        value = self.payload.get("text", self.payload.get("caption"))
        return str(value) if value is not None else None


@dataclass
class Chat:
    id: int
    user: JSON
    next_message_id: int = 1
    blocked: bool = False
    action: str | None = None
    action_until: float = 0.0

    def describe(self) -> JSON:
        chat: JSON = {"id": self.id, "type": "private", "first_name": self.user["first_name"]}
        for key in ("last_name", "username"):
            if self.user.get(key):
                chat[key] = self.user[key]
        return chat

    def current_action(self) -> str | None:
        return self.action if self.action and time.time() < self.action_until else None


FaultKind = Literal["retry_after", "error", "drop", "delay"]


@dataclass
class Fault:
    """Make the next `count` calls of `method` (case-insensitive; "*" for any) misbehave.

    retry_after: 429 with parameters.retry_after; error: `status` with `description`; drop: close the
    connection without an answer (`when`="after" runs the method first, as if the answer got lost);
    delay: wait `delay_s` seconds, then answer normally."""

    method: str
    kind: FaultKind = "error"
    count: int = 1
    retry_after: int = 1
    status: int = 500
    description: str = ""
    delay_s: float = 0.0
    when: Literal["before", "after"] = "before"

    def describe(self) -> JSON:
        return {
            "method": self.method,
            "kind": self.kind,
            "count": self.count,
            "retry_after": self.retry_after,
            "status": self.status,
            "description": self.description,
            "delay_s": self.delay_s,
            "when": self.when,
        }


@dataclass
class CallRecord:
    seq: int
    at: float
    method: str
    params: JSON
    status: int
    description: str = ""
    fault: str | None = None

    def describe(self) -> JSON:
        return {
            "seq": self.seq,
            "at": self.at,
            "method": self.method,
            "params": self.params,
            "status": self.status,
            "ok": self.status == 200,
            "description": self.description,
            "fault": self.fault,
        }


@dataclass
class Webhook:
    url: str
    secret_token: str | None = None
    max_connections: int = 40
    ip_address: str | None = None
    last_error_date: int | None = None
    last_error_message: str | None = None


class TelegramState:
    """`message_limit` (None: keep every message) bounds the messages kept, oldest forgotten first, so a
    long benchmark does not grow the fake without bound; the call log keeps the newest `call_log_limit`.

    Every per-update cost is O(1) amortised: messages are indexed per chat, pending updates and the call log
    are deques (the call log also indexed per chat id), so 100k+ updates cost no more each than the first."""

    def __init__(
        self,
        token: str,
        *,
        bot_username: str,
        bot_first_name: str,
        message_limit: int | None = None,
        call_log_limit: int = CALL_LOG_LIMIT,
    ) -> None:
        if message_limit is not None and message_limit < 1:
            raise ValueError("message_limit must be positive (or None for no limit)")
        self.message_limit = message_limit
        self.call_log_limit = max(1, call_log_limit)
        self.token = token
        prefix = token.split(":", 1)[0]
        self.bot_user: JSON = {
            "id": int(prefix) if prefix.isdigit() else 7000000001,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }
        self.closing = False
        self._event = asyncio.Event()
        self._deferring = 0
        self._deferred = False
        self.reset()

    def reset(self) -> None:
        """Forget every chat, file, update, fault and call (the bot itself stays)."""
        self.chats: dict[int, Chat] = {}
        self.messages: dict[tuple[int, int], StoredMessage] = {}
        # chat id -> message id -> message, in message id order (what one chat needs, without a full scan)
        self.chat_index: dict[int, dict[int, StoredMessage]] = {}
        self._message_order: deque[tuple[int, int]] = deque()  # creation order, for message_limit
        self.files: dict[str, StoredFile] = {}
        self.files_by_path: dict[str, StoredFile] = {}
        self.pending: deque[JSON] = deque()
        self.allowed_updates: list[str] | None = None
        self.webhook: Webhook | None = None
        self.faults: list[Fault] = []
        self.calls: deque[CallRecord] = deque()
        self.calls_by_chat: dict[str, deque[CallRecord]] = {}
        self._call_seq = itertools.count(1)
        self.last_call_seq = 0
        self.callback_queries: dict[str, JSON] = {}
        self.bot_commands: list[Any] = []
        self.poll_generation = 0
        self._update_ids = itertools.count(100_000_001)
        self._seq = itertools.count(1)
        self._file_numbers = itertools.count(1)
        self.version = 0
        self.changed()

    # --- waking waiters -------------------------------------------------------------------------------

    def changed(self) -> None:
        if self._deferring:
            self._deferred = True
            return
        self.version += 1
        event, self._event = self._event, asyncio.Event()
        event.set()

    @contextlib.contextmanager
    def batched(self) -> Iterator[None]:
        """Wake waiters once at the end instead of after every change (many messages in one request)."""
        self._deferring += 1
        try:
            yield
        finally:
            self._deferring -= 1
            if not self._deferring and self._deferred:
                self._deferred = False
                self.changed()

    async def wait_changed(self, timeout_s: float) -> None:
        event = self._event
        try:
            await asyncio.wait_for(event.wait(), timeout=max(0.0, timeout_s))
        except TimeoutError:
            return

    async def wait_for(self, predicate: Callable[[], T | None], timeout_s: float = 10.0) -> T:
        """Wait until `predicate()` returns something truthy and return it; TimeoutError otherwise."""
        deadline = time.monotonic() + timeout_s
        while True:
            result = predicate()
            if result:
                return result
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError(f"condition not met within {timeout_s} s")
            await self.wait_changed(remaining)

    # --- chats ----------------------------------------------------------------------------------------

    def ensure_chat(self, chat_id: int, profile: JSON | None = None) -> Chat:
        """The private chat with customer `chat_id` (created on first use); `profile` updates the user."""
        profile = {key: value for key, value in (profile or {}).items() if value not in (None, "")}
        chat = self.chats.get(chat_id)
        if chat is None:
            user: JSON = {"id": chat_id, "is_bot": False, "first_name": f"Клиент {chat_id}"}
            chat = self.chats[chat_id] = Chat(id=chat_id, user=user)
        for key in ("first_name", "last_name", "username", "language_code", "is_premium"):
            if key in profile:
                chat.user[key] = profile[key]
        return chat

    def chat_for_bot(self, chat_id: int) -> Chat:
        """The chat the bot addresses; Telegram's errors when it does not exist or blocked the bot."""
        chat = self.chats.get(chat_id)
        if chat is None:
            raise bad_request("chat not found")
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def chat_by_username(self, username: str) -> Chat:
        for chat in self.chats.values():
            if str(chat.user.get("username", "")).lower() == username.lower():
                return chat
        raise bad_request("chat not found")

    def set_blocked(self, chat_id: int, blocked: bool) -> int | None:
        chat = self.ensure_chat(chat_id)
        if chat.blocked == blocked:
            return None
        chat.blocked = blocked
        old, new = ("member", "kicked") if blocked else ("kicked", "member")
        update = {
            "chat": chat.describe(),
            "from": dict(chat.user),
            "date": int(time.time()),
            "old_chat_member": {"status": old, "user": dict(self.bot_user)},
            "new_chat_member": {
                "status": new,
                "user": dict(self.bot_user),
                **({"until_date": 0} if blocked else {}),
            },
        }
        update_id = self.push_update("my_chat_member", update)
        self.changed()
        return update_id

    def set_action(self, chat: Chat, action: str) -> None:
        chat.action, chat.action_until = action, time.time() + 5
        self.changed()

    # --- files ----------------------------------------------------------------------------------------

    def _store(
        self, kind: str, data: bytes, mime_type: str, file_name: str | None, **extra: Any
    ) -> StoredFile:
        number = next(self._file_numbers)
        folder = media.FOLDER.get(kind, "documents")
        path = f"{folder}/file_{number}.{media.extension(file_name, mime_type, kind)}"
        stored = StoredFile(
            file_id=media.new_file_id(kind),
            file_unique_id=media.new_file_unique_id(),
            kind=kind,
            data=data,
            file_path=path,
            mime_type=mime_type,
            file_name=file_name,
            **extra,
        )
        self.files[stored.file_id] = stored
        self.files_by_path[path] = stored
        return stored

    def store_upload(self, kind: str, upload: Upload, *, duration: int = 0) -> list[StoredFile]:
        """Keep an uploaded file as Telegram would: a photo in several sizes, anything else as it came."""
        if not upload.data:
            raise bad_request("file must be non-empty")
        if kind == "photo":
            info = media.image_info(upload.data)
            if info is None:
                raise bad_request("IMAGE_PROCESS_FAILED")
            _mime, width, height = info
            sizes = media.photo_sizes(width, height)
            stored: list[StoredFile] = []
            for index, (size_w, size_h) in enumerate(sizes):
                original = index == len(sizes) - 1
                unique = media.new_file_unique_id()
                data = upload.data if original else media.thumbnail_bytes(size_w, size_h, unique)
                item = self._store("photo", data, "image/jpeg", None, width=size_w, height=size_h)
                item.file_unique_id = unique
                stored.append(item)
            ids = tuple(item.file_id for item in stored)
            for item in stored:
                item.photo_set = ids
            return stored
        name = upload.filename or None
        mime = media.guess_mime(name, upload.content_type, kind)
        width, height = {"video": (1280, 720), "video_note": (640, 640)}.get(kind, (0, 0))
        return [self._store(kind, upload.data, mime, name, duration=duration, width=width, height=height)]

    def file(self, file_id: str) -> StoredFile:
        stored = self.files.get(file_id)
        if stored is None:
            raise bad_request("wrong file identifier/HTTP URL specified")
        return stored

    def media_fields(self, kind: str, stored: list[StoredFile], options: JSON | None = None) -> JSON:
        """The part of a Message that describes its media."""
        options = options or {}
        if kind == "photo":
            return {
                "photo": [
                    {
                        "file_id": item.file_id,
                        "file_unique_id": item.file_unique_id,
                        "file_size": len(item.data),
                        "width": item.width,
                        "height": item.height,
                    }
                    for item in stored
                ]
            }
        item = stored[0]
        described: JSON = {
            "file_id": item.file_id,
            "file_unique_id": item.file_unique_id,
            "file_size": len(item.data),
        }
        if kind in ("voice", "audio", "video", "video_note"):
            described["duration"] = int(options.get("duration") or item.duration or 1)
        if kind == "video_note":
            described["length"] = item.width or 640
            return {kind: described}
        if kind == "video":
            described.update(width=item.width or 1280, height=item.height or 720)
        if kind in ("audio", "document", "video") and item.file_name:
            described["file_name"] = item.file_name
        if kind == "audio":
            for key in ("title", "performer"):
                if options.get(key):
                    described[key] = options[key]
        described["mime_type"] = item.mime_type
        return {kind: described}

    # --- messages -------------------------------------------------------------------------------------

    def _new_message(
        self, chat: Chat, *, from_bot: bool, method: str, fields: JSON, file_ids: list[str]
    ) -> StoredMessage:
        message_id = chat.next_message_id
        chat.next_message_id += 1
        payload: JSON = {
            "message_id": message_id,
            "from": dict(self.bot_user if from_bot else chat.user),
            "chat": chat.describe(),
            "date": int(time.time()),
            **fields,
        }
        stored = StoredMessage(
            chat_id=chat.id,
            message_id=message_id,
            from_bot=from_bot,
            payload=payload,
            seq=next(self._seq),
            method=method,
            file_ids=file_ids,
        )
        self.messages[(chat.id, message_id)] = stored
        self.chat_index.setdefault(chat.id, {})[message_id] = stored
        self._message_order.append((chat.id, message_id))
        if self.message_limit is not None:
            while len(self._message_order) > self.message_limit:
                self._forget_message(*self._message_order.popleft())
        if from_bot:
            chat.action = None
        self.changed()
        return stored

    def _forget_message(self, chat_id: int, message_id: int) -> None:
        self.messages.pop((chat_id, message_id), None)
        in_chat = self.chat_index.get(chat_id)
        if in_chat is not None:
            in_chat.pop(message_id, None)
            if not in_chat:
                del self.chat_index[chat_id]

    def last_message(self, chat_id: int) -> StoredMessage | None:
        in_chat = self.chat_index.get(chat_id)
        return next(reversed(in_chat.values())) if in_chat else None

    def message(self, chat_id: int, message_id: int) -> StoredMessage | None:
        return self.messages.get((chat_id, message_id))

    def reply_fields(self, chat: Chat, reply_to_message_id: int | None) -> JSON:
        if not reply_to_message_id:
            return {}
        original = self.message(chat.id, reply_to_message_id)
        if original is None:
            raise bad_request("message to be replied not found")
        return {"reply_to_message": dict(original.payload)}

    def customer_message(
        self,
        chat_id: int,
        *,
        text: str | None = None,
        kind: str | None = None,
        upload: Upload | None = None,
        options: JSON | None = None,
        profile: JSON | None = None,
        reply_to_message_id: int | None = None,
    ) -> tuple[StoredMessage, int | None]:
        """A message the customer sends: text, or media (`kind`, `upload`) with `text` as its caption."""
        chat = self.ensure_chat(chat_id, profile)
        fields: JSON = self.reply_fields(chat, reply_to_message_id)
        file_ids: list[str] = []
        if upload is not None:
            kind = kind or "document"
            if kind not in media.MEDIA_KINDS:
                raise bad_request(f"unknown media kind {kind!r}; one of {', '.join(media.MEDIA_KINDS)}")
            stored = self.store_upload(kind, upload, duration=int((options or {}).get("duration") or 0))
            fields.update(self.media_fields(kind, stored, options))
            file_ids.append(stored[-1].file_id)
            if text:
                if len(text) > CAPTION_LIMIT:
                    raise bad_request("message caption is too long")
                fields["caption"] = text
                entities = auto_entities(text)
                if entities:
                    fields["caption_entities"] = entities
        else:
            if not text or not text.strip():
                raise bad_request("message text is empty")
            if len(text) > TEXT_LIMIT:
                raise bad_request("message is too long")
            fields["text"] = text
            entities = auto_entities(text)
            if entities:
                fields["entities"] = entities
        stored_message = self._new_message(
            chat, from_bot=False, method="customer", fields=fields, file_ids=file_ids
        )
        update_id = self.push_update("message", dict(stored_message.payload))
        return stored_message, update_id

    def edit_customer_message(
        self, chat_id: int, message_id: int, text: str
    ) -> tuple[StoredMessage, int | None]:
        """The customer edits the text (or the caption) of a message they sent: an edited_message update."""
        stored = self.message(chat_id, message_id)
        if stored is None:
            raise bad_request("message to edit not found")
        if stored.from_bot:
            raise bad_request("message can't be edited")
        key = "text" if "text" in stored.payload else "caption"
        if key == "text" and not text.strip():
            raise bad_request("message text is empty")
        if stored.payload.get(key) == text:
            raise bad_request(NOT_MODIFIED)
        stored.payload[key] = text
        entities_key = "entities" if key == "text" else "caption_entities"
        stored.payload.pop(entities_key, None)
        entities = auto_entities(text)
        if entities:
            stored.payload[entities_key] = entities
        stored.payload["edit_date"] = int(time.time())
        stored.seq = next(self._seq)
        self.changed()
        return stored, self.push_update("edited_message", dict(stored.payload))

    def bot_message(
        self, chat: Chat, method: str, fields: JSON, file_ids: list[str] | None = None
    ) -> StoredMessage:
        return self._new_message(chat, from_bot=True, method=method, fields=fields, file_ids=file_ids or [])

    def touch(self, stored: StoredMessage) -> None:
        stored.seq = next(self._seq)
        self.changed()

    def press_button(self, chat_id: int, message_id: int, data: str) -> tuple[str, int | None]:
        """The customer presses an inline button with callback_data `data` under a bot message."""
        stored = self.message(chat_id, message_id)
        if stored is None or not stored.from_bot:
            raise bad_request("message not found")
        keyboard = stored.payload.get("reply_markup", {}).get("inline_keyboard", [])
        if not any(button.get("callback_data") == data for row in keyboard for button in row):
            raise bad_request("the message has no button with this callback_data")
        chat = self.chats[chat_id]
        query_id = str(secrets.randbits(63))
        query: JSON = {
            "id": query_id,
            "from": dict(chat.user),
            "message": dict(stored.payload),
            "chat_instance": str(chat_id * 7919 % 10**18),
            "data": data,
        }
        self.callback_queries[query_id] = {"query": query, "answer": None, "at": time.time()}
        update_id = self.push_update("callback_query", query)
        self.changed()
        return query_id, update_id

    def chat_messages(
        self, chat_id: int, after_seq: int = 0, from_bot: bool | None = None
    ) -> list[StoredMessage]:
        """Messages of a chat changed after `after_seq`, in the order they changed."""
        found = [
            stored
            for stored in self.chat_index.get(chat_id, {}).values()
            if stored.seq > after_seq and (from_bot is None or stored.from_bot == from_bot)
        ]
        return sorted(found, key=lambda stored: stored.seq)

    def bot_messages(self, chat_id: int, method: str | None = None) -> list[StoredMessage]:
        """What the bot has sent to a chat (optionally by one method, e.g. "sendPhoto"), in order."""
        wanted = method.lower() if method is not None else None
        return [
            stored
            for stored in self.chat_index.get(chat_id, {}).values()
            if stored.from_bot and (wanted is None or stored.method.lower() == wanted)
        ]

    # --- updates --------------------------------------------------------------------------------------

    def update_allowed(self, kind: str) -> bool:
        if self.allowed_updates:
            return kind in self.allowed_updates
        return kind not in DEFAULT_EXCLUDED_UPDATES

    def push_update(self, kind: str, body: JSON) -> int | None:
        if not self.update_allowed(kind):
            return None
        update_id = next(self._update_ids)
        self.pending.append({"update_id": update_id, kind: body})
        self.changed()
        return update_id

    def confirm(self, offset: int) -> None:
        """getUpdates' offset: forget updates before it (a negative offset keeps the last -offset ones)."""
        pending = self.pending
        if offset < 0:
            while len(pending) > -offset:
                pending.popleft()
        else:
            # Update ids only grow along the queue: the confirmed ones are a prefix.
            while pending and pending[0]["update_id"] < offset:
                pending.popleft()

    def pending_head(self, limit: int) -> list[JSON]:
        """The first `limit` pending updates (copies), as getUpdates returns them."""
        return [dict(update) for update in itertools.islice(self.pending, limit)]

    # --- faults and the call log ---------------------------------------------------------------------

    def take_fault(self, method: str) -> Fault | None:
        for fault in self.faults:
            if fault.method.lower() in (method.lower(), "*"):
                fault.count -= 1
                if fault.count <= 0:
                    self.faults.remove(fault)
                return fault
        return None

    def record_call(
        self, method: str, params: JSON, status: int, description: str = "", fault: str | None = None
    ) -> None:
        record = CallRecord(
            seq=next(self._call_seq),
            at=time.time(),
            method=method,
            params=params,
            status=status,
            description=description,
            fault=fault,
        )
        self.last_call_seq = record.seq
        self.calls.append(record)
        chat_key = _chat_key(params)
        if chat_key is not None:
            self.calls_by_chat.setdefault(chat_key, deque()).append(record)
        while len(self.calls) > self.call_log_limit:
            self._forget_call(self.calls.popleft())
        self.changed()

    def _forget_call(self, record: CallRecord) -> None:
        chat_key = _chat_key(record.params)
        if chat_key is None:
            return
        of_chat = self.calls_by_chat.get(chat_key)
        if of_chat is None:
            return
        if of_chat and of_chat[0] is record:  # always so: both logs are in call order
            of_chat.popleft()
        else:
            with contextlib.suppress(ValueError):
                of_chat.remove(record)
        if not of_chat:
            del self.calls_by_chat[chat_key]

    def calls_of(
        self, method: str | None = None, chat_id: int | None = None, after: int = 0
    ) -> list[CallRecord]:
        """Logged calls (of one method, to one chat), after call seq `after`, oldest first. Reads only
        the chat's own calls and stops at `after`, so recent calls of one chat are cheap to find."""
        source = self.calls if chat_id is None else self.calls_by_chat.get(str(chat_id), ())
        wanted = method.lower() if method is not None else None
        found: list[CallRecord] = []
        for call in reversed(source):
            if call.seq <= after:
                break
            if wanted is None or call.method.lower() == wanted:
                found.append(call)
        found.reverse()
        return found


def _chat_key(params: JSON) -> str | None:
    chat_id = params.get("chat_id")
    return None if chat_id is None or chat_id == "" else str(chat_id)
