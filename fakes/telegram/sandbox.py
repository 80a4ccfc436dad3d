"""The sandbox API: play the customer (messages, files, edits, button presses, blocking the bot), read
what the bot sent, inject faults, inspect the call log. Answers use the Bot API envelope {"ok", "result"}.

    GET    /sandbox/bot                                        the bot, its webhook and pending updates
    GET    /sandbox/chats                                      every chat with its customer
    POST   /sandbox/chats/{chat_id}                            create or update the customer's profile
    POST   /sandbox/chats/{chat_id}/messages                   the customer sends text or a file (+ caption)
    POST   /sandbox/messages:batch                             many customers send text, one request
    GET    /sandbox/chats/{chat_id}/messages?after=&wait=&from=   messages changed after seq `after`
    GET    /sandbox/chats/{chat_id}/sent?method=               what the bot sent to the chat
    POST   /sandbox/chats/{chat_id}/messages/{id}/edit         the customer edits a message -> edited_message
    POST   /sandbox/chats/{chat_id}/messages/{id}/press        the customer presses an inline button
    POST   /sandbox/chats/{chat_id}/block                      {"blocked": true|false}
    GET    /sandbox/files/{file_id}                            download any file (no token needed)
    GET    /sandbox/calls?method=&chat_id=&after=              the Bot API call log
    GET|POST|DELETE /sandbox/faults                            list, add or clear injected faults
    GET    /sandbox/updates                                    updates the bot has not confirmed yet
    POST   /sandbox/reset                                      forget everything but the bot
"""

from __future__ import annotations

import base64
import binascii
import json
import time
from typing import Any, cast
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from fakes.telegram import media
from fakes.telegram.api import Params
from fakes.telegram.state import (
    JSON,
    TEXT_LIMIT,
    ApiError,
    Fault,
    StoredMessage,
    TelegramState,
    Upload,
    bad_request,
)
from fakes.telegram.transport import ok, read_params

PROFILE_KEYS = ("first_name", "last_name", "username", "language_code")
MAX_WAIT_S = 60.0
BATCH_LIMIT = 10_000


def describe_message(state: TelegramState, stored: StoredMessage) -> JSON:
    return {
        "seq": stored.seq,
        "chat_id": stored.chat_id,
        "message_id": stored.message_id,
        "from_bot": stored.from_bot,
        "method": stored.method,
        "message": stored.payload,
        "at": stored.at,
        "files": [state.files[file_id].summary() for file_id in stored.file_ids if file_id in state.files],
    }


def profile_of(params: Params) -> JSON:
    profile: JSON = {}
    for nested in ("from", "user"):
        value = params.object(nested)
        if isinstance(value, dict):
            profile.update({key: value[key] for key in PROFILE_KEYS if value.get(key)})
    profile.update({key: params.text(key) for key in PROFILE_KEYS if params.text(key)})
    return profile


def upload_of(params: Params) -> tuple[str | None, Upload | None]:
    kind = params.text("kind")
    for name in ("file", *media.MEDIA_KINDS):
        if name in params.uploads:
            return (kind or (name if name != "file" else "document")), params.uploads[name]
    encoded = params.text("file_base64")
    if encoded is not None:
        try:
            data = base64.b64decode(encoded, validate=True)
        except (binascii.Error, ValueError):
            raise bad_request("file_base64 is not valid base64") from None
        return kind or "document", Upload(params.text("file_name"), params.text("mime_type"), data)
    return None, None


def chat_id_of(request: Request) -> int:
    try:
        return int(request.path_params["chat_id"])
    except ValueError:
        raise bad_request("chat_id must be an integer") from None


def routes(state: TelegramState) -> list[Route]:
    async def bot(_request: Request) -> Response:
        webhook = state.webhook
        return ok(
            {
                "bot": state.bot_user,
                "webhook": None
                if webhook is None
                else {
                    "url": webhook.url,
                    "has_secret_token": webhook.secret_token is not None,
                    "last_error_date": webhook.last_error_date,
                    "last_error_message": webhook.last_error_message,
                },
                "pending_update_count": len(state.pending),
                "chats": len(state.chats),
                "messages": len(state.messages),
                "message_limit": state.message_limit,
                "last_call_seq": state.last_call_seq,
            }
        )

    async def chats(_request: Request) -> Response:
        listed = []
        for chat in state.chats.values():
            last = state.last_message(chat.id)
            listed.append(
                {
                    "chat": chat.describe(),
                    "user": chat.user,
                    "blocked": chat.blocked,
                    "action": chat.current_action(),
                    "last_message": describe_message(state, last) if last else None,
                }
            )
        return ok(listed)

    async def upsert_chat(request: Request) -> Response:
        params = await read_params(request)
        chat = state.ensure_chat(chat_id_of(request), profile_of(params))
        state.changed()
        return ok({"chat": chat.describe(), "user": chat.user, "blocked": chat.blocked})

    async def send(request: Request) -> Response:
        params = await read_params(request)
        kind, upload = upload_of(params)
        text = params.text("text") or params.text("caption")
        options = {key: params.raw(key) for key in ("duration", "title", "performer")}
        stored, update_id = state.customer_message(
            chat_id_of(request),
            text=text,
            kind=kind,
            upload=upload,
            options=options,
            profile=profile_of(params),
            reply_to_message_id=params.integer("reply_to_message_id"),
        )
        return ok({**describe_message(state, stored), "update_id": update_id})

    async def send_batch(request: Request) -> Response:
        items = batch_of(await request.body())
        with state.batched():
            results = []
            for chat_id, text, profile in items:
                stored, update_id = state.customer_message(chat_id, text=text, profile=profile)
                results.append(
                    {
                        "chat_id": chat_id,
                        "message_id": stored.message_id,
                        "seq": stored.seq,
                        "update_id": update_id,
                    }
                )
        return ok(results)

    async def messages(request: Request) -> Response:
        chat_id = chat_id_of(request)
        query = request.query_params
        after = int(query.get("after") or 0)
        wait_s = min(float(query.get("wait") or 0), MAX_WAIT_S)
        side = query.get("from", "all")
        from_bot = {"bot": True, "customer": False}.get(side)
        deadline = time.monotonic() + wait_s
        found = state.chat_messages(chat_id, after, from_bot)
        while not found and time.monotonic() < deadline and not state.closing:
            await state.wait_changed(deadline - time.monotonic())
            found = state.chat_messages(chat_id, after, from_bot)
        chat = state.chats.get(chat_id)
        answers = [
            {"callback_query_id": query_id, "data": entry["query"].get("data"), "answer": entry["answer"]}
            for query_id, entry in state.callback_queries.items()
            if entry["query"]["from"]["id"] == chat_id
        ]
        return ok(
            {
                "chat": chat.describe() if chat else None,
                "user": chat.user if chat else None,
                "blocked": chat.blocked if chat else False,
                "action": chat.current_action() if chat else None,
                "messages": [describe_message(state, stored) for stored in found],
                "callback_answers": answers,
                "seq": max((stored.seq for stored in found), default=after),
            }
        )

    async def sent(request: Request) -> Response:
        chat_id = chat_id_of(request)
        method = request.query_params.get("method")
        return ok([describe_message(state, stored) for stored in state.bot_messages(chat_id, method)])

    async def edit(request: Request) -> Response:
        params = await read_params(request)
        text = params.text("text") or params.text("caption") or ""
        stored, update_id = state.edit_customer_message(
            chat_id_of(request), int(request.path_params["message_id"]), text
        )
        return ok({**describe_message(state, stored), "update_id": update_id})

    async def press(request: Request) -> Response:
        params = await read_params(request)
        data = params.text("data") or params.text("callback_data")
        if not data:
            raise bad_request("data is empty")
        query_id, update_id = state.press_button(
            chat_id_of(request), int(request.path_params["message_id"]), data
        )
        return ok({"callback_query_id": query_id, "update_id": update_id})

    async def block(request: Request) -> Response:
        params = await read_params(request)
        blocked = params.raw("blocked")
        update_id = state.set_blocked(chat_id_of(request), blocked is None or params.flag("blocked"))
        return ok({"blocked": state.chats[chat_id_of(request)].blocked, "update_id": update_id})

    async def file(request: Request) -> Response:
        stored = state.files.get(request.path_params["file_id"])
        if stored is None:
            raise ApiError(404, "Not Found")
        name = stored.file_name or stored.file_path.rsplit("/", 1)[-1]
        disposition = f"inline; filename*=UTF-8''{quote(name)}"
        return Response(
            stored.data, media_type=stored.content_type, headers={"content-disposition": disposition}
        )

    async def calls(request: Request) -> Response:
        query = request.query_params
        chat_id = query.get("chat_id")
        after = int(query.get("after") or 0)
        found = state.calls_of(query.get("method"), int(chat_id) if chat_id else None, after)
        return ok([call.describe() for call in found])

    async def faults(request: Request) -> Response:
        if request.method == "DELETE":
            state.faults.clear()
        elif request.method == "POST":
            params = await read_params(request)
            state.faults.append(fault_of(params))
        return ok([fault.describe() for fault in state.faults])

    async def updates(_request: Request) -> Response:
        return ok(list(state.pending))

    async def reset(_request: Request) -> Response:
        state.reset()
        return ok(True)

    return [
        Route("/sandbox/bot", bot),
        Route("/sandbox/chats", chats),
        Route("/sandbox/messages:batch", send_batch, methods=["POST"]),
        Route("/sandbox/chats/{chat_id}", upsert_chat, methods=["POST", "PUT"]),
        Route("/sandbox/chats/{chat_id}/messages", send, methods=["POST"]),
        Route("/sandbox/chats/{chat_id}/messages", messages, methods=["GET"]),
        Route("/sandbox/chats/{chat_id}/sent", sent),
        Route("/sandbox/chats/{chat_id}/messages/{message_id:int}/edit", edit, methods=["POST"]),
        Route("/sandbox/chats/{chat_id}/messages/{message_id:int}/press", press, methods=["POST"]),
        Route("/sandbox/chats/{chat_id}/block", block, methods=["POST"]),
        Route("/sandbox/files/{file_id}", file),
        Route("/sandbox/calls", calls),
        Route("/sandbox/faults", faults, methods=["GET", "POST", "DELETE"]),
        Route("/sandbox/updates", updates),
        Route("/sandbox/reset", reset, methods=["POST"]),
    ]


def batch_of(body: bytes) -> list[tuple[int, str, JSON]]:
    """(chat id, text, profile) of each message of a batch: a JSON list (or {"messages": [...]}) of
    {"chat_id", "text", "first_name", "last_name", "username", "language_code"}. Every item is checked
    before any is sent, so a bad batch sends nothing (the error names the item)."""
    try:
        parsed = json.loads(body) if body.strip() else None
    except ValueError:
        raise bad_request("can't parse JSON object") from None
    if isinstance(parsed, dict):
        parsed = parsed.get("messages")
    if not isinstance(parsed, list):
        raise bad_request('the body must be a JSON list of messages (or {"messages": [...]})')
    if len(parsed) > BATCH_LIMIT:
        raise bad_request(f"too many messages in one batch (at most {BATCH_LIMIT})")
    items: list[tuple[int, str, JSON]] = []
    for index, item in enumerate(parsed):
        if not isinstance(item, dict):
            raise bad_request(f"messages[{index}] is not an object")
        chat_id = item.get("chat_id")
        if isinstance(chat_id, bool) or not isinstance(chat_id, int | str):
            raise bad_request(f"messages[{index}].chat_id must be an integer")
        try:
            chat_id = int(chat_id)
        except ValueError:
            raise bad_request(f"messages[{index}].chat_id must be an integer") from None
        text = item.get("text")
        if not isinstance(text, str) or not text.strip():
            raise bad_request(f"messages[{index}]: message text is empty")
        if len(text) > TEXT_LIMIT:
            raise bad_request(f"messages[{index}]: message is too long")
        profile = {key: str(item[key]) for key in PROFILE_KEYS if item.get(key)}
        items.append((chat_id, text, profile))
    return items


def fault_of(params: Params) -> Fault:
    method = params.text("method")
    if not method:
        raise bad_request("method is empty (a Bot API method name, or * for any)")
    kind = params.text("kind") or "error"
    if kind not in ("retry_after", "error", "drop", "delay"):
        raise bad_request("kind must be one of retry_after, error, drop, delay")
    when = params.text("when") or "before"
    if when not in ("before", "after"):
        raise bad_request("when must be before or after")
    delay = params.raw("delay_s")
    return Fault(
        method=method,
        kind=cast(Any, kind),
        count=params.integer("count") or 1,
        retry_after=params.integer("retry_after") or 1,
        status=params.integer("status") or 500,
        description=params.text("description") or "",
        delay_s=float(delay) if delay is not None else 0.0,
        when=cast(Any, when),
    )
