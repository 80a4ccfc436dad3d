"""Flows 1 and 2 end to end: a customer writes in Telegram, operators see it live, one takes the ticket
and answers, the customer gets the answer in Telegram. Real Kafka, FerretDB, Redis and S3."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

import pytest

from services.message_saver.app import build_app
from tests.e2e.conftest import Stack
from tests.support.images import png

pytestmark = pytest.mark.integration


def chat() -> int:
    return 100_000 + uuid.uuid4().int % 800_000


async def test_customer_text_reaches_operator_live_and_the_reply_reaches_telegram(stack: Stack) -> None:
    alice = await stack.operator("alice")
    live = await stack.listen(alice)
    chat_id = chat()
    await stack.customer_says(chat_id, "Здравствуйте! Не могу войти в интернет-банк, пишет «ошибка 403».")

    created = await live.wait(
        lambda e: e["type"] == "ticket.created" and e["ticket"]["customer"]["chat_id"] == chat_id
    )
    ticket_id = created["ticket_id"]
    message = await live.wait(lambda e: e["type"] == "message.created" and e["ticket_id"] == ticket_id)
    assert message["message"]["text"] == "Здравствуйте! Не могу войти в интернет-банк, пишет «ошибка 403»."
    assert message["message"]["direction"] == "customer"

    queue = (await stack.api.get("/api/v1/tickets?status=open", headers=alice.headers)).json()["items"]
    listed = next(item for item in queue if item["id"] == ticket_id)
    assert listed["customer"]["name"] == "Иван Петров"
    assert listed["last_message_preview"].startswith("Здравствуйте! Не могу войти")

    taken = await stack.api.post(f"/api/v1/tickets/{ticket_id}/take", headers=alice.headers)
    assert taken.status_code == 200, taken.text
    assert taken.json()["status"] == "assigned"
    assert taken.json()["assignee"] == alice.id

    reply = await stack.api.post(
        f"/api/v1/tickets/{ticket_id}/messages",
        json={"text": "Добрый день! Сбросьте, пожалуйста, кэш браузера и попробуйте снова."},
        headers=alice.headers,
    )
    assert reply.status_code == 201, reply.text
    sent = await stack.bot_sent(chat_id, 1)
    texts = [message.text for message in sent]
    assert "Добрый день! Сбросьте, пожалуйста, кэш браузера и попробуйте снова." in texts

    history = await stack.messages(ticket_id, alice)
    assert [item["direction"] for item in history] == ["customer", "operator"]


async def test_files_travel_both_ways_through_private_s3(stack: Stack) -> None:
    bob = await stack.operator("bob")
    chat_id = chat()
    photo = png(5, 4)
    statement = "Выписка по счёту №42\n".encode() * 50
    await stack.customer_sends_file(chat_id, "photo", "screen.png", photo, "image/png", "Вот скриншот ошибки")
    await stack.customer_sends_file(chat_id, "document", "выписка.txt", statement, "text/plain", "")
    ticket = await stack.ticket_of(chat_id, bob)

    async def two_messages() -> list[dict[str, Any]]:
        while True:
            items = await stack.messages(ticket["id"], bob)
            if len(items) >= 2:
                return items
            await asyncio.sleep(0.1)

    received = await asyncio.wait_for(two_messages(), 20)
    photo_message, document_message = received
    assert photo_message["text"] == "Вот скриншот ошибки"
    for message, expected in ((photo_message, photo), (document_message, statement)):
        (attachment,) = message["attachments"]
        assert attachment["url"], "attachments are served by a file link"
        downloaded = await stack.api.get(attachment["url"])  # no Authorization: as an <img> asks
        assert downloaded.status_code == 200
        assert downloaded.content == expected
    assert document_message["attachments"][0]["file_name"] == "выписка.txt"

    await stack.api.post(f"/api/v1/tickets/{ticket['id']}/take", headers=bob.headers)
    sent_photo = await stack.api.post(
        f"/api/v1/tickets/{ticket['id']}/messages",
        files={"file": ("инструкция.png", png(8, 8, (0, 90, 200)), "image/png")},
        data={"text": "Смотрите на картинке"},
        headers=bob.headers,
    )
    assert sent_photo.status_code == 201, sent_photo.text
    pdf = b"%PDF-1.4\n% T1 test document\n" + b"0" * 2048
    sent_doc = await stack.api.post(
        f"/api/v1/tickets/{ticket['id']}/messages",
        files={"file": ("Тарифы.pdf", pdf, "application/pdf")},
        headers=bob.headers,
    )
    assert sent_doc.status_code == 201, sent_doc.text

    (photo_out,) = await stack.bot_sent(chat_id, 1, "sendPhoto")
    (doc_out,) = await stack.bot_sent(chat_id, 1, "sendDocument")
    assert photo_out.text == "Смотрите на картинке"
    assert stack.telegram.state.file(photo_out.file_ids[-1]).data == png(8, 8, (0, 90, 200))
    assert stack.telegram.state.file(doc_out.file_ids[-1]).data == pdf
    assert doc_out.payload["document"]["file_name"] == "Тарифы.pdf"


async def test_edited_customer_message_updates_the_stored_one(stack: Stack) -> None:
    chat_id = chat()
    message_id = await stack.customer_says(chat_id, "Хочу закрыть вклад досрочно")
    ticket = await stack.ticket_of(chat_id)
    edited = await stack.sandbox.post(
        f"/sandbox/chats/{chat_id}/messages/{message_id}/edit",
        json={"text": "Хочу закрыть вклад «Гибкий» досрочно"},
    )
    assert edited.status_code == 200, edited.text

    async def updated() -> dict[str, object]:
        while True:
            (item,) = await stack.messages(ticket["id"])
            if item["edited"]:
                return item
            await asyncio.sleep(0.1)

    item = await asyncio.wait_for(updated(), 20)
    assert item["text"] == "Хочу закрыть вклад «Гибкий» досрочно"


async def test_close_tells_the_customer_and_the_next_message_opens_a_new_ticket(stack: Stack) -> None:
    carol = await stack.operator("carol")
    chat_id = chat()
    await stack.customer_says(chat_id, "Как узнать остаток по карте?")
    first = await stack.ticket_of(chat_id, carol)
    closed = await stack.api.post(f"/api/v1/tickets/{first['id']}/close", headers=carol.headers)
    assert closed.status_code == 200, closed.text
    assert closed.json()["status"] == "closed"
    (notice,) = await stack.bot_sent(chat_id, 1)
    assert notice.text is not None
    assert "закрыт" in notice.text.lower()

    await stack.customer_says(chat_id, "Ещё вопрос: как сменить ПИН-код?")

    async def second_ticket() -> dict[str, object]:
        while True:
            ticket = await stack.ticket_of(chat_id)
            if ticket["id"] != first["id"]:
                return ticket
            await asyncio.sleep(0.1)

    second = await asyncio.wait_for(second_ticket(), 20)
    assert second["status"] == "open"
    assert second["last_message_preview"] == "Ещё вопрос: как сменить ПИН-код?"
    late_reply = await stack.api.post(
        f"/api/v1/tickets/{first['id']}/messages",
        json={"text": "Ответ в закрытый тикет"},
        headers=carol.headers,
    )
    assert late_reply.status_code == 409


async def test_two_operators_race_to_take_and_exactly_one_wins(stack: Stack) -> None:
    dave, erin = await stack.operator("dave"), await stack.operator("erin")
    chat_id = chat()
    await stack.customer_says(chat_id, "Срочно: списали деньги дважды")
    ticket = await stack.ticket_of(chat_id)
    responses = await asyncio.gather(
        stack.api.post(f"/api/v1/tickets/{ticket['id']}/take", headers=dave.headers),
        stack.api.post(f"/api/v1/tickets/{ticket['id']}/take", headers=erin.headers),
    )
    assert sorted(response.status_code for response in responses) == [200, 409]
    loser = next(response for response in responses if response.status_code == 409)
    assert loser.json()["detail"]


async def test_retried_reply_reaches_telegram_once(stack: Stack) -> None:
    frank = await stack.operator("frank")
    chat_id = chat()
    await stack.customer_says(chat_id, "Подскажите часы работы отделения")
    ticket = await stack.ticket_of(chat_id)
    body = {"text": "С 9:00 до 18:00 по будням.", "client_message_id": "frank-1"}
    first = await stack.api.post(f"/api/v1/tickets/{ticket['id']}/messages", json=body, headers=frank.headers)
    again = await stack.api.post(f"/api/v1/tickets/{ticket['id']}/messages", json=body, headers=frank.headers)
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"]
    await stack.bot_sent(chat_id, 1)
    # A later reply of the ticket travels the same partition: a duplicate would be sent before it.
    later = {"text": "Что-нибудь ещё?", "client_message_id": "frank-2"}
    sentinel = await stack.api.post(
        f"/api/v1/tickets/{ticket['id']}/messages", json=later, headers=frank.headers
    )
    assert sentinel.status_code == 201, sentinel.text
    await stack.bot_sent(chat_id, 2)
    assert [message.text for message in stack.telegram.state.bot_messages(chat_id)] == [
        "С 9:00 до 18:00 по будням.",
        "Что-нибудь ещё?",
    ]
    assert len(await stack.messages(ticket["id"])) == 3


async def test_another_operators_ticket_is_forbidden(stack: Stack) -> None:
    grace, heidi = await stack.operator("grace"), await stack.operator("heidi")
    chat_id = chat()
    await stack.customer_says(chat_id, "Не приходит СМС с кодом")
    ticket = await stack.ticket_of(chat_id)
    assert (
        await stack.api.post(f"/api/v1/tickets/{ticket['id']}/take", headers=grace.headers)
    ).status_code == 200
    path = f"/api/v1/tickets/{ticket['id']}"
    calls = [
        ("GET", path, None),
        ("GET", f"{path}/messages", None),
        ("POST", f"{path}/messages", {"text": "чужой ответ"}),
        ("POST", f"{path}/close", None),
        ("POST", f"{path}/notes", {"text": "чужая заметка"}),
        ("PATCH", path, {"priority": "high"}),
        ("POST", f"{path}/take", None),
        ("POST", f"{path}/assign", {"operator_id": heidi.id}),
        ("GET", f"/api/v1/tickets?assignee={grace.id}", None),
    ]
    for method, url, body in calls:
        response = await stack.api.request(method, url, json=body, headers=heidi.headers)
        assert response.status_code in (403, 409), (method, url, response.status_code, response.text)
        if url.endswith("/take"):
            assert response.status_code in (403, 409)
        else:
            assert response.status_code == 403, (method, url, response.text)
    mine = (await stack.api.get("/api/v1/tickets", headers=heidi.headers)).json()["items"]
    assert ticket["id"] not in {item["id"] for item in mine}
    admin_view = await stack.api.get(path, headers=stack.admin.headers)
    assert admin_view.status_code == 200


async def test_notes_stay_internal(stack: Stack) -> None:
    ivan = await stack.operator("ivan")
    chat_id = chat()
    await stack.customer_says(chat_id, "Хочу оформить кредит")
    ticket = await stack.ticket_of(chat_id)
    await stack.api.post(f"/api/v1/tickets/{ticket['id']}/take", headers=ivan.headers)
    note = await stack.api.post(
        f"/api/v1/tickets/{ticket['id']}/notes",
        json={"text": "Клиент VIP, уточнить ставку"},
        headers=ivan.headers,
    )
    assert note.status_code == 201, note.text
    assert note.json()["internal"] is True
    patched = await stack.api.patch(
        f"/api/v1/tickets/{ticket['id']}",
        json={"tags": ["кредит", "vip"], "priority": "high"},
        headers=ivan.headers,
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["priority"] == "high"
    assert patched.json()["tags"] == ["кредит", "vip"]
    # A reply after them takes the same way to Telegram: once it is sent, nothing else went before it.
    reply = await stack.api.post(
        f"/api/v1/tickets/{ticket['id']}/messages", json={"text": "Добрый день!"}, headers=ivan.headers
    )
    assert reply.status_code == 201, reply.text
    await stack.bot_sent(chat_id, 1)
    assert [message.text for message in stack.telegram.state.bot_messages(chat_id)] == ["Добрый день!"]


async def test_message_saver_restart_mid_stream_loses_nothing(stack: Stack) -> None:
    chat_id = chat()
    for index in range(5):
        await stack.customer_says(chat_id, f"Сообщение {index}")
    ticket = await stack.ticket_of(chat_id)
    port = stack.saver.port
    await stack.saver.stop()
    for index in range(5, 12):
        await stack.customer_says(chat_id, f"Сообщение {index}")
    await asyncio.sleep(1)
    # A new instance on the same port: the gateway's channel reconnects to it.
    replacement = await build_app(stack.saver_settings.model_copy(update={"grpc_port": port}), stack.registry)
    await replacement.start()
    stack.saver = replacement

    async def all_stored() -> list[str]:
        while True:
            texts = [item["text"] for item in await stack.messages(ticket["id"])]
            if len(texts) >= 12:
                return texts
            await asyncio.sleep(0.2)

    texts = await asyncio.wait_for(all_stored(), 30)
    assert texts == [f"Сообщение {index}" for index in range(12)]
