"""The fake Bot API over raw HTTP: request encodings, Telegram's envelopes and errors, long polling,
webhooks, files, the sandbox and injected faults."""

from __future__ import annotations

import asyncio
import contextlib
import json
import socket
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from fakes.telegram import FakeTelegram
from fakes.telegram.media import sample_png

CHAT = 424242
RUSSIAN = "Здравствуйте! Не проходит оплата картой «Мир» 😕"


def api(fake: FakeTelegram, method: str) -> str:
    return f"/bot{fake.token}/{method}"


async def say(client: httpx.AsyncClient, text: str, chat_id: int = CHAT, **profile: str) -> dict[str, Any]:
    response = await client.post(f"/sandbox/chats/{chat_id}/messages", json={"text": text, **profile})
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()["result"]
    return result


async def test_every_request_encoding_and_case_insensitive_method_names(
    fake: FakeTelegram, client: httpx.AsyncClient
) -> None:
    answers = [
        await client.get(api(fake, "getMe")),
        await client.post(api(fake, "GETME")),
        await client.post(api(fake, "getme"), json={}),
        await client.post(api(fake, "getMe"), data={"unused": "1"}),
    ]
    for answer in answers:
        assert answer.status_code == 200
        body = answer.json()
        assert body["ok"] is True
        assert body["result"]["is_bot"] is True
        assert body["result"]["username"] == "t1_support_bot"
        assert body["result"]["id"] == 123456789
    await say(client, "привет")
    sent = [
        await client.get(api(fake, "sendMessage"), params={"chat_id": CHAT, "text": "query"}),
        await client.post(api(fake, "sendMessage"), json={"chat_id": CHAT, "text": "json"}),
        await client.post(api(fake, "sendMessage"), data={"chat_id": str(CHAT), "text": "form"}),
        await client.post(
            api(fake, "sendMessage"), files={"chat_id": (None, str(CHAT)), "text": (None, "multipart")}
        ),
    ]
    texts = [answer.json()["result"]["text"] for answer in sent]
    assert texts == ["query", "json", "form", "multipart"]
    ids = [answer.json()["result"]["message_id"] for answer in sent]
    assert ids == [2, 3, 4, 5]  # message ids grow per chat; the customer's message was 1


async def test_telegram_errors(fake: FakeTelegram, client: httpx.AsyncClient) -> None:
    wrong = await client.get("/bot123:WRONG/getMe")
    assert wrong.status_code == 401
    assert wrong.json() == {"ok": False, "error_code": 401, "description": "Unauthorized"}
    unknown = await client.post(api(fake, "sendTelepathy"))
    assert unknown.status_code == 404
    assert unknown.json() == {"ok": False, "error_code": 404, "description": "Not Found"}

    async def error_of(method: str, **params: Any) -> tuple[int, str]:
        answer = await client.post(api(fake, method), json=params)
        body = answer.json()
        assert body["ok"] is False
        assert body["error_code"] == answer.status_code
        return answer.status_code, body["description"]

    assert await error_of("sendMessage", text="hi") == (400, "Bad Request: chat_id is empty")
    assert await error_of("sendMessage", chat_id=1, text="hi") == (400, "Bad Request: chat not found")
    await say(client, "привет")
    assert await error_of("sendMessage", chat_id=CHAT) == (400, "Bad Request: message text is empty")
    assert await error_of("sendMessage", chat_id=CHAT, text="x" * 4097) == (
        400,
        "Bad Request: message is too long",
    )
    assert await error_of("sendPhoto", chat_id=CHAT) == (400, "Bad Request: there is no photo in the request")
    assert (await error_of("sendPhoto", chat_id=CHAT, photo="no-such-file"))[1] == (
        "Bad Request: wrong file identifier/HTTP URL specified"
    )
    assert (await error_of("getFile", file_id="nope"))[1] == "Bad Request: invalid file_id"
    assert (await error_of("sendChatAction", chat_id=CHAT, action="dancing"))[0] == 400
    assert (await error_of("answerCallbackQuery", callback_query_id="1"))[1].startswith(
        "Bad Request: query is too old"
    )
    status, description = await error_of("sendMessage", chat_id=CHAT, text="<b>x", parse_mode="HTML")
    assert (status, description.split(":")[0]) == (400, "Bad Request")
    assert "can't parse entities" in description
    blocked = await client.post(f"/sandbox/chats/{CHAT}/block", json={"blocked": True})
    assert blocked.json()["result"]["blocked"] is True
    assert await error_of("sendMessage", chat_id=CHAT, text="hi") == (
        403,
        "Forbidden: bot was blocked by the user",
    )


async def test_get_updates_offset_limit_and_long_poll(fake: FakeTelegram, client: httpx.AsyncClient) -> None:
    first = await say(
        client, RUSSIAN, first_name="Иван", last_name="Петров", username="ivan", language_code="ru"
    )
    second = await say(client, "/start")
    updates = (await client.post(api(fake, "getUpdates"))).json()["result"]
    assert [update["update_id"] for update in updates] == [first["update_id"], second["update_id"]]
    message = updates[0]["message"]
    assert message["text"] == RUSSIAN
    assert message["from"] == {
        "id": CHAT,
        "is_bot": False,
        "first_name": "Иван",
        "last_name": "Петров",
        "username": "ivan",
        "language_code": "ru",
    }
    assert message["chat"] == {
        "id": CHAT,
        "type": "private",
        "first_name": "Иван",
        "last_name": "Петров",
        "username": "ivan",
    }
    assert abs(message["date"] - time.time()) < 5
    assert updates[1]["message"]["entities"] == [{"type": "bot_command", "offset": 0, "length": 6}]

    limited = (await client.post(api(fake, "getUpdates"), json={"limit": 1})).json()["result"]
    assert [update["update_id"] for update in limited] == [first["update_id"]]  # not confirmed yet
    confirmed = await client.post(api(fake, "getUpdates"), json={"offset": second["update_id"] + 1})
    assert confirmed.json()["result"] == []
    assert (await client.get("/sandbox/updates")).json()["result"] == []

    started = time.monotonic()
    empty = await client.post(api(fake, "getUpdates"), json={"timeout": 1})
    assert empty.json()["result"] == []
    assert 0.9 <= time.monotonic() - started < 3

    async def later() -> None:
        await asyncio.sleep(0.3)
        await say(client, "пишу во время ожидания")

    started = time.monotonic()
    poll = asyncio.create_task(client.post(api(fake, "getUpdates"), json={"timeout": 10}))
    await later()
    woke = (await poll).json()["result"]
    assert [update["message"]["text"] for update in woke] == ["пишу во время ожидания"]
    assert time.monotonic() - started < 3


async def test_second_poller_terminates_the_first_with_conflict(
    fake: FakeTelegram, client: httpx.AsyncClient
) -> None:
    first = asyncio.create_task(client.post(api(fake, "getUpdates"), json={"timeout": 10}))
    await asyncio.sleep(0.2)
    second = asyncio.create_task(client.post(api(fake, "getUpdates"), json={"timeout": 1}))
    terminated = await first
    assert terminated.status_code == 409
    assert terminated.json()["description"].startswith("Conflict: terminated by other getUpdates request")
    assert (await second).status_code == 200


class _Receiver:
    """A webhook endpoint for the fake to POST to."""

    def __init__(self) -> None:
        self.received: list[tuple[dict[str, Any], str | None]] = []
        self.fail_next = 0
        self.arrived = asyncio.Event()

        async def hook(request: Request) -> Response:
            if self.fail_next:
                self.fail_next -= 1
                return JSONResponse({"busy": True}, status_code=500)
            self.received.append(
                (await request.json(), request.headers.get("x-telegram-bot-api-secret-token"))
            )
            self.arrived.set()
            return JSONResponse({})

        self.app = Starlette(routes=[Route("/hook", hook, methods=["POST"])])


class _Quiet(uvicorn.Server):
    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@contextlib.asynccontextmanager
async def serving(app: Starlette) -> AsyncIterator[str]:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = _Quiet(uvicorn.Config(app, log_level="warning", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    while not server.started:  # noqa: ASYNC110 - uvicorn exposes a flag, not an event
        await asyncio.sleep(0.01)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


async def test_webhook_delivery_secret_retries_and_conflict(
    fake: FakeTelegram, client: httpx.AsyncClient
) -> None:
    receiver = _Receiver()
    receiver.fail_next = 1
    async with serving(receiver.app) as url:
        answer = await client.post(
            api(fake, "setWebhook"), data={"url": f"{url}/hook", "secret_token": "s3cr3t-Token_1"}
        )
        assert answer.json() == {"ok": True, "result": True, "description": "Webhook was set"}
        conflict = await client.post(api(fake, "getUpdates"))
        assert conflict.status_code == 409
        assert "webhook is active" in conflict.json()["description"]

        sent = await say(client, RUSSIAN)
        await asyncio.wait_for(receiver.arrived.wait(), 10)
        update, secret = receiver.received[0]
        assert secret == "s3cr3t-Token_1"
        assert update["update_id"] == sent["update_id"]
        assert update["message"]["text"] == RUSSIAN
        info = (await client.get(api(fake, "getWebhookInfo"))).json()["result"]
        assert info["url"] == f"{url}/hook"
        assert info["pending_update_count"] == 0
        assert info["last_error_message"] == "Wrong response from the webhook: 500 Internal Server Error"

        bad_secret = await client.post(
            api(fake, "setWebhook"), json={"url": f"{url}/hook", "secret_token": "a b"}
        )
        assert bad_secret.json()["description"] == "Bad Request: secret token contains unallowed characters"

    deleted = await client.post(api(fake, "deleteWebhook"))
    assert deleted.json() == {"ok": True, "result": True, "description": "Webhook was deleted"}
    assert (await client.post(api(fake, "getUpdates"))).json()["result"] == []


async def test_files_upload_get_file_download_and_reuse(
    fake: FakeTelegram, client: httpx.AsyncClient
) -> None:
    await say(client, "пришлите фото")
    image = sample_png(640, 480)
    photo = await client.post(
        api(fake, "sendPhoto"),
        data={"chat_id": str(CHAT), "caption": "Ваш чек"},
        files={"photo": ("check.png", image, "image/png")},
    )
    message = photo.json()["result"]
    sizes = message["photo"]
    assert [(size["width"], size["height"]) for size in sizes] == [(90, 68), (320, 240), (640, 480)]
    assert sizes[-1]["file_size"] == len(image)
    assert all(size["file_size"] < len(image) for size in sizes[:-1])
    assert message["caption"] == "Ваш чек"
    assert message["from"]["is_bot"] is True

    described = (await client.post(api(fake, "getFile"), json={"file_id": sizes[-1]["file_id"]})).json()[
        "result"
    ]
    assert described["file_path"].startswith("photos/")
    downloaded = await client.get(f"/file/bot{fake.token}/{described['file_path']}")
    assert downloaded.content == image
    assert (await client.get(f"/file/botWRONG/{described['file_path']}")).status_code == 401

    document = await client.post(
        api(fake, "sendDocument"),
        data={"chat_id": str(CHAT)},
        files={"document": ("выписка.pdf", b"%PDF-1.4 fake", "application/pdf")},
    )
    doc = document.json()["result"]["document"]
    assert (doc["file_name"], doc["mime_type"], doc["file_size"]) == ("выписка.pdf", "application/pdf", 13)
    again = await client.post(api(fake, "sendDocument"), json={"chat_id": CHAT, "document": doc["file_id"]})
    assert again.json()["result"]["document"]["file_id"] == doc["file_id"]
    mismatch = await client.post(api(fake, "sendPhoto"), json={"chat_id": CHAT, "photo": doc["file_id"]})
    assert mismatch.json()["description"] == "Bad Request: type of file mismatch"
    not_image = await client.post(
        api(fake, "sendPhoto"), data={"chat_id": str(CHAT)}, files={"photo": ("a.png", b"not an image")}
    )
    assert not_image.json()["description"] == "Bad Request: IMAGE_PROCESS_FAILED"

    listed = (await client.get(f"/sandbox/chats/{CHAT}/sent")).json()["result"]
    assert [entry["method"] for entry in listed] == ["sendPhoto", "sendDocument", "sendDocument"]
    photo_file = listed[0]["files"][0]
    assert (await client.get(photo_file["url"])).content == image
    assert listed[1]["files"][0]["file_name"] == "выписка.pdf"


async def test_sandbox_customer_media_kinds_and_edits(fake: FakeTelegram, client: httpx.AsyncClient) -> None:
    image = sample_png(1300, 100, seed=3)
    photo = await client.post(
        f"/sandbox/chats/{CHAT}/messages",
        data={"kind": "photo", "caption": "скрин ошибки", "first_name": "Анна"},
        files={"file": ("screen.png", image, "image/png")},
    )
    assert photo.status_code == 200, photo.text
    sizes = photo.json()["result"]["message"]["photo"]
    assert [size["width"] for size in sizes] == [90, 320, 800, 1280, 1300]
    kinds = {
        "document": ("договор.docx", b"PK\x03\x04 docx", None),
        "voice": ("voice.ogg", b"OggS voice", "audio/ogg"),
        "audio": ("song.mp3", b"ID3 audio", "audio/mpeg"),
        "video": ("clip.mp4", b"\x00\x00\x00 ftypmp4", "video/mp4"),
    }
    for kind, (name, data, mime) in kinds.items():
        answer = await client.post(
            f"/sandbox/chats/{CHAT}/messages", data={"kind": kind}, files={"file": (name, data, mime)}
        )
        assert answer.status_code == 200, answer.text
        media = answer.json()["result"]["message"][kind]
        assert media["file_size"] == len(data)
        assert media["mime_type"].startswith(
            {"document": "application/", "voice": "audio/ogg"}.get(kind, mime or "")
        )
    document = (await client.get("/sandbox/updates")).json()["result"][1]["message"]["document"]
    assert document["file_name"] == "договор.docx"
    assert document["mime_type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

    as_json = await client.post(
        f"/sandbox/chats/{CHAT}/messages",
        json={
            "kind": "document",
            "file_base64": "0J/RgNC40LLQtdGC",
            "file_name": "note.txt",
            "caption": "json",
        },
    )
    assert as_json.json()["result"]["message"]["document"]["mime_type"] == "text/plain"

    text = await say(client, "Номер заказа 1234")
    edited = await client.post(
        f"/sandbox/chats/{CHAT}/messages/{text['message_id']}/edit", json={"text": "Номер заказа 12345"}
    )
    result = edited.json()["result"]
    assert result["message"]["edit_date"] >= result["message"]["date"]
    updates = (await client.get("/sandbox/updates")).json()["result"]
    assert updates[-1]["edited_message"]["text"] == "Номер заказа 12345"
    assert updates[-1]["edited_message"]["message_id"] == text["message_id"]
    caption_edit = await client.post(
        f"/sandbox/chats/{CHAT}/messages/{photo.json()['result']['message_id']}/edit",
        json={"text": "новая подпись"},
    )
    assert caption_edit.json()["result"]["message"]["caption"] == "новая подпись"
    unchanged = await client.post(
        f"/sandbox/chats/{CHAT}/messages/{text['message_id']}/edit", json={"text": "Номер заказа 12345"}
    )
    assert unchanged.json()["description"].startswith("Bad Request: message is not modified")


async def test_buttons_callback_answers_and_edits(fake: FakeTelegram, client: httpx.AsyncClient) -> None:
    await say(client, "оценить")
    keyboard = {
        "inline_keyboard": [
            [{"text": "👍", "callback_data": "rate:5"}, {"text": "👎", "callback_data": "rate:1"}]
        ]
    }
    sent = await client.post(
        api(fake, "sendMessage"),
        data={
            "chat_id": str(CHAT),
            "text": "Оцените <b>ответ</b>",
            "parse_mode": "HTML",
            "reply_markup": json.dumps(keyboard),
        },
    )
    message = sent.json()["result"]
    assert message["text"] == "Оцените ответ"
    assert message["entities"] == [{"type": "bold", "offset": 8, "length": 5}]
    assert message["reply_markup"] == keyboard
    pressed = await client.post(
        f"/sandbox/chats/{CHAT}/messages/{message['message_id']}/press", json={"data": "rate:5"}
    )
    query_id = pressed.json()["result"]["callback_query_id"]
    update = (await client.get("/sandbox/updates")).json()["result"][-1]
    assert update["callback_query"]["data"] == "rate:5"
    assert update["callback_query"]["message"]["message_id"] == message["message_id"]
    answered = await client.post(
        api(fake, "answerCallbackQuery"), json={"callback_query_id": query_id, "text": "Спасибо!"}
    )
    assert answered.json()["result"] is True
    edited = await client.post(
        api(fake, "editMessageText"),
        json={"chat_id": CHAT, "message_id": message["message_id"], "text": "Спасибо за оценку"},
    )
    assert edited.json()["result"]["text"] == "Спасибо за оценку"
    assert (
        "reply_markup" not in edited.json()["result"]
    )  # omitted markup removes the keyboard, as in Telegram
    again = await client.post(
        api(fake, "editMessageReplyMarkup"), json={"chat_id": CHAT, "message_id": message["message_id"]}
    )
    assert again.json()["description"].startswith("Bad Request: message is not modified")
    customer_message = await client.post(
        api(fake, "editMessageText"), json={"chat_id": CHAT, "message_id": 1, "text": "x"}
    )
    assert customer_message.json()["description"] == "Bad Request: message can't be edited"
    assert (
        await client.post(api(fake, "sendChatAction"), json={"chat_id": CHAT, "action": "typing"})
    ).json()["result"]
    chat = (await client.get(f"/sandbox/chats/{CHAT}/messages")).json()["result"]
    assert chat["action"] == "typing"
    assert chat["callback_answers"][0]["answer"]["text"] == "Спасибо!"


async def test_faults_429_5xx_drop_and_delay(fake: FakeTelegram, client: httpx.AsyncClient) -> None:
    await say(client, "привет")
    await client.post(
        "/sandbox/faults", json={"method": "sendMessage", "kind": "retry_after", "retry_after": 7, "count": 2}
    )
    for _ in range(2):
        limited = await client.post(api(fake, "sendMessage"), json={"chat_id": CHAT, "text": "a"})
        assert limited.status_code == 429
        assert limited.json() == {
            "ok": False,
            "error_code": 429,
            "description": "Too Many Requests: retry after 7",
            "parameters": {"retry_after": 7},
        }
    assert (
        await client.post(api(fake, "sendMessage"), json={"chat_id": CHAT, "text": "a"})
    ).status_code == 200

    await client.post("/sandbox/faults", json={"method": "*", "kind": "error", "status": 502})
    assert (await client.get(api(fake, "getMe"))).json() == {
        "ok": False,
        "error_code": 502,
        "description": "Bad Gateway",
    }

    await client.post("/sandbox/faults", json={"method": "sendmessage", "kind": "drop"})
    with pytest.raises(httpx.RemoteProtocolError):
        await client.post(api(fake, "sendMessage"), json={"chat_id": CHAT, "text": "lost"})
    await client.post("/sandbox/faults", json={"method": "sendMessage", "kind": "drop", "when": "after"})
    with pytest.raises(httpx.RemoteProtocolError):
        await client.post(api(fake, "sendMessage"), json={"chat_id": CHAT, "text": "sent, answer lost"})
    texts = [
        entry["message"]["text"]
        for entry in (await client.get(f"/sandbox/chats/{CHAT}/sent")).json()["result"]
    ]
    assert texts == ["a", "sent, answer lost"]

    await client.post("/sandbox/faults", json={"method": "getMe", "kind": "delay", "delay_s": 0.5})
    started = time.monotonic()
    assert (await client.get(api(fake, "getMe"))).json()["ok"] is True
    assert time.monotonic() - started >= 0.5
    assert (await client.get("/sandbox/faults")).json()["result"] == []
    calls = (await client.get("/sandbox/calls", params={"method": "sendMessage"})).json()["result"]
    assert [call["status"] for call in calls] == [429, 429, 200, 0, 0]


async def test_customer_page_is_served_in_russian_with_an_english_toggle(client: httpx.AsyncClient) -> None:
    page = await client.get("/")
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert '<html lang="ru">' in page.text
    assert "Отправить" in page.text
    assert "English" in page.text
    assert "/sandbox/chats/" in page.text
