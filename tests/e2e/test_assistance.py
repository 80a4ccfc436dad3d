"""AI assistance through the whole stack on the real engines: the customer's question gets an LLM title
and a knowledge-base category that operators see live, hints and a ready reply from the imported FAQ,
and the text of a photo is recognised, shown under it live and used by the hints."""

from __future__ import annotations

import uuid
from typing import Any

import pytest

from fakes.llm import Fault
from tests.e2e.conftest import Stack
from tests.message_saver.images import text_image

pytestmark = pytest.mark.integration

LOST_CARD = "Добрый день! Потеряла карточку вашего банка, что мне теперь делать?"


def chat() -> int:
    return 100_000 + uuid.uuid4().int % 800_000


async def test_title_category_hints_and_reply_draft(assisted_stack: Stack) -> None:
    stack = assisted_stack
    assert stack.assistance is not None
    llm = stack.assistance.llm
    # the first matching rule wins: the reply request carries the customer's text too
    llm.add_rule("Сразу заблокируйте карточку в приложении VTB mBank.", contains="Справочные ответы")
    llm.add_rule("Утеря карточки", contains="Потеряла карточку")
    alice = await stack.operator("alice")
    live = await stack.listen(alice)
    chat_id = chat()
    await stack.customer_says(chat_id, LOST_CARD)

    created = await live.wait(
        lambda e: e["type"] == "ticket.created" and e["ticket"]["customer"]["chat_id"] == chat_id
    )
    ticket_id = created["ticket_id"]
    titled = await live.wait(
        lambda e: e["type"] == "ticket.updated" and e["ticket_id"] == ticket_id and e["ticket"]["title"],
        timeout_s=60,
    )
    ticket: dict[str, Any] = titled["ticket"]
    assert ticket["title"] == "Утеря карточки"
    assert ticket["category"] == "Частные клиенты"
    assert ticket["subcategory"] == "Банковские карточки"

    hints = await stack.api.get(f"/api/v1/tickets/{ticket_id}/hints", headers=alice.headers)
    assert hints.status_code == 200, hints.text
    body = hints.json()
    # The conversation's intent: the request without its greeting.
    assert body["intent"] == body["query"] == "Потеряла карточку вашего банка, что мне теперь делать?"
    assert len(body["items"]) == 3
    assert body["items"][0]["question"] == "Действия при утрате карточки"
    assert body["items"][0]["entry_id"]
    assert 0.0 <= body["items"][0]["probability"] <= 1.0
    assert isinstance(body["no_good_hint"], bool)

    # «Алло, вы тут?» changes neither the intent nor the hints.
    await stack.customer_says(chat_id, "Алло, вы тут?")
    await live.wait(
        lambda e: (
            e["type"] == "message.created"
            and e["ticket_id"] == ticket_id
            and e["message"]["text"] == "Алло, вы тут?"
        )
    )
    again = (await stack.api.get(f"/api/v1/tickets/{ticket_id}/hints", headers=alice.headers)).json()
    assert again["intent"] == body["intent"]
    assert [item["entry_id"] for item in again["items"]] == [item["entry_id"] for item in body["items"]]

    draft = await stack.api.post(f"/api/v1/tickets/{ticket_id}/reply-draft", json={}, headers=alice.headers)
    assert draft.status_code == 200, draft.text
    reply = draft.json()
    # The customer (Иван, tests/e2e/conftest.py) is greeted by name.
    assert (reply["source"], reply["text"]) == (
        "llm",
        "Здравствуйте, Иван! Сразу заблокируйте карточку в приложении VTB mBank.",
    )
    assert reply["hints"][0]["question"] == "Действия при утрате карточки"
    prompt = llm.state.completions()[-1].messages[1]["content"]
    assert LOST_CARD in prompt
    assert reply["hints"][0]["answer"].strip() in prompt

    bad = await stack.api.post(
        f"/api/v1/tickets/{ticket_id}/reply-draft", json={"hints": 9}, headers=alice.headers
    )
    assert bad.status_code == 422

    llm.fail(Fault("error", count=10, status=503))
    fallback = (
        await stack.api.post(f"/api/v1/tickets/{ticket_id}/reply-draft", json={}, headers=alice.headers)
    ).json()
    assert fallback["source"] == "template"
    # Without the LLM: the greeting by name, the (relevant part of the) best answer, a closing line.
    assert fallback["text"].startswith("Здравствуйте, Иван! При утрате карточки")
    assert fallback["text"].endswith("\n\nЕсли останутся вопросы — пишите.")
    assert "503" in fallback["fallback_reason"]


async def test_photo_text_is_recognised_shown_live_and_used_by_hints(assisted_stack: Stack) -> None:
    stack = assisted_stack
    bob = await stack.operator("bob")
    live = await stack.listen(bob)
    chat_id = chat()
    photo = text_image(["Ошибка: карта заблокирована", "Обратитесь в банк"])
    await stack.customer_sends_file(chat_id, "photo", "screen.jpg", photo, "image/jpeg", "")
    created = await live.wait(
        lambda e: e["type"] == "ticket.created" and e["ticket"]["customer"]["chat_id"] == chat_id
    )
    ticket_id = created["ticket_id"]
    updated = await live.wait(
        lambda e: (
            e["type"] == "message.updated"
            and e["ticket_id"] == ticket_id
            and any(a["ocr_text"] for a in e["message"]["attachments"])
        ),
        timeout_s=60,
    )
    ocr_text = updated["message"]["attachments"][0]["ocr_text"]
    assert "карта заблокирована" in ocr_text.lower()

    hints = (await stack.api.get(f"/api/v1/tickets/{ticket_id}/hints", headers=bob.headers)).json()
    assert "заблокирована" in hints["query"].lower()
    assert hints["items"], hints


async def test_an_admin_grows_the_knowledge_base_and_hints_find_it(assisted_stack: Stack) -> None:
    stack = assisted_stack
    entry = {
        "category": "Частные клиенты",
        "subcategory": "Сейфовые ячейки",
        "question": "Как арендовать сейфовую ячейку?",
        "answer": "Арендовать ячейку можно в отделениях с депозитарием, договор — на срок от 1 дня.",
        "variants": ["где у вас можно хранить ценности", "  ", "где у вас можно хранить ценности"],
    }
    carol = await stack.operator("carol")
    refused = await stack.api.post("/api/v1/kb/entries", json=entry, headers=carol.headers)
    assert refused.status_code == 403
    too_many = await stack.api.post(
        "/api/v1/kb/entries", json={**entry, "variants": ["вариант"] * 51}, headers=stack.admin.headers
    )
    assert too_many.status_code == 422
    created = await stack.api.post("/api/v1/kb/entries", json=entry, headers=stack.admin.headers)
    assert created.status_code == 201, created.text
    assert created.json()["variants"] == ["где у вас можно хранить ценности"]

    chat_id = chat()
    await stack.customer_says(chat_id, "Подскажите, где у вас можно хранить ценности, украшения и документы?")
    ticket = await stack.ticket_of(chat_id, carol)
    hints = (await stack.api.get(f"/api/v1/tickets/{ticket['id']}/hints", headers=carol.headers)).json()
    assert hints["items"][0]["question"] == "Как арендовать сейфовую ячейку?"
    assert hints["items"][0]["entry_id"] == created.json()["id"]
