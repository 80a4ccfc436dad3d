"""A returning customer's earlier tickets and a ticket's timeline in the console, end to end on the real
engines: GET /api/v1/tickets/{id}/history (with ratings from stats, and without them when stats is down),
the inline transcript of an earlier ticket, who may read what, and GET /api/v1/tickets/{id}/timeline."""

from __future__ import annotations

import random
from typing import Any

import httpx
import pytest

from fakes.telegram import StoredMessage
from gateway.main import create_app as create_gateway
from tests.e2e.conftest import Operator, Stack, login
from tests.support.servers import LiveServer
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def new_ticket(stack: Stack, chat_id: int, text: str, known: set[str]) -> dict[str, Any]:
    """The customer writes; the ticket it opened (not one of `known`) as the console lists it."""
    await stack.customer_says(chat_id, text)
    found: list[dict[str, Any]] = []

    async def listed() -> bool:
        page = (await stack.api.get("/api/v1/tickets", headers=stack.admin.headers)).json()
        found[:] = [
            item
            for item in page["items"]
            if item["customer"]["chat_id"] == chat_id and item["id"] not in known
        ]
        return bool(found)

    await eventually(listed, what=f"a new ticket of chat {chat_id}")
    known.add(found[0]["id"])
    return found[0]


async def act(
    stack: Stack, operator: Operator, ticket_id: str, path: str, body: Any = None
) -> dict[str, Any]:
    done = await stack.api.post(f"/api/v1/tickets/{ticket_id}/{path}", json=body, headers=operator.headers)
    assert done.status_code in (200, 201), done.text
    return dict(done.json())


async def closing_message(stack: Stack, chat_id: int, ticket_id: str) -> StoredMessage:
    """The bot's closing message of `ticket_id`, with its rating buttons."""

    def found() -> StoredMessage | None:
        for sent in stack.telegram.state.bot_messages(chat_id):
            rows = (sent.payload.get("reply_markup") or {}).get("inline_keyboard", [])
            if any(ticket_id in str(button.get("callback_data")) for row in rows for button in row):
                return sent
        return None

    return await stack.telegram.state.wait_for(found, 30)


async def answered_closed_and_rated(
    stack: Stack, operator: Operator, chat_id: int, question: str, score: str, known: set[str]
) -> dict[str, Any]:
    ticket = await new_ticket(stack, chat_id, question, known)
    await act(stack, operator, ticket["id"], "take")
    await act(stack, operator, ticket["id"], "messages", {"text": f"Ответ на «{question}»"})
    await act(stack, operator, ticket["id"], "notes", {"text": "Клиент уже писал об этом"})
    await act(stack, operator, ticket["id"], "close")
    await stack.press(chat_id, await closing_message(stack, chat_id, ticket["id"]), score)
    return ticket


async def get_json(stack: Stack, path: str, operator: Operator) -> Any:
    response = await stack.api.get(path, headers=operator.headers)
    assert response.status_code == 200, response.text
    return response.json()


async def test_a_returning_customers_earlier_tickets_with_ratings_and_their_transcripts(stack: Stack) -> None:
    anna, carl = await stack.operator("anna"), await stack.operator("carl")
    chat_id, stranger = random.randrange(10**9, 2 * 10**9), random.randrange(2 * 10**9, 3 * 10**9)
    known: set[str] = set()
    first = await answered_closed_and_rated(stack, anna, chat_id, "Не приходит SMS?", "5", known)
    second = await answered_closed_and_rated(stack, anna, chat_id, "Как сменить PIN-код?", "2", known)
    current = await new_ticket(stack, chat_id, "Где моя карта?", known)
    await act(stack, anna, current["id"], "take")
    other = await new_ticket(stack, stranger, "Вопрос другого клиента?", known)

    history_path = f"/api/v1/tickets/{current['id']}/history"
    bodies: list[Any] = []

    async def both_rated() -> bool:
        bodies.append(await get_json(stack, history_path, anna))
        return all(item["rating"] for item in bodies[-1]["items"])

    await eventually(both_rated, what="the earlier tickets' ratings")
    history = bodies[-1]
    assert [item["id"] for item in history["items"]] == [second["id"], first["id"]]
    assert [item["rating"]["score"] for item in history["items"]] == [2, 5]
    assert {item["status"] for item in history["items"]} == {"closed"}
    assert all(item["created_at"] and item["closed_at"] for item in history["items"])
    assert history["has_more"] is False

    transcript = await get_json(stack, f"{history_path}/{first['id']}/messages", anna)
    assert [(item["direction"], item["internal"], item["text"]) for item in transcript["items"]] == [
        ("customer", False, "Не приходит SMS?"),
        ("operator", False, "Ответ на «Не приходит SMS?»"),
        ("system", True, "Клиент уже писал об этом"),
    ]
    # Another customer's ticket, or one that does not exist, is not this customer's: 404.
    for earlier in (other["id"], "no-such-ticket"):
        refused = await stack.api.get(f"{history_path}/{earlier}/messages", headers=anna.headers)
        assert refused.status_code == 404, refused.text
    # An operator who may not see the current ticket (anna's) reads neither it nor, through it, the others.
    for path in (
        history_path,
        f"{history_path}/{first['id']}/messages",
        f"/api/v1/tickets/{current['id']}/timeline",
    ):
        denied = await stack.api.get(path, headers=carl.headers)
        assert denied.status_code == 403, (path, denied.text)
    # The other customer's ticket has no history of this customer.
    assert (await get_json(stack, f"/api/v1/tickets/{other['id']}/history", carl))["items"] == []

    # Without stats (down), the history comes without ratings, not as an error.
    assert stack.gateway_settings is not None
    no_stats = stack.gateway_settings.model_copy(update={"stats_grpc_addr": "127.0.0.1:1"})
    async with (
        LiveServer(create_gateway(no_stats)) as live,
        httpx.AsyncClient(base_url=live.url, timeout=30) as api,
    ):
        anna_there = await login(api, "anna", "пароль-anna")
        response = await api.get(history_path, headers=anna_there.headers)
        assert response.status_code == 200, response.text
        assert [(item["id"], item["rating"]) for item in response.json()["items"]] == [
            (second["id"], None),
            (first["id"], None),
        ]


async def test_the_timeline_of_a_ticket_taken_reassigned_answered_twice_closed_and_rated(
    stack: Stack,
) -> None:
    anna, boris = await stack.operator("anna"), await stack.operator("boris")
    chat_id = random.randrange(10**9, 2 * 10**9)
    ticket = await new_ticket(stack, chat_id, "Не работает приложение?", set())
    ticket_id = ticket["id"]
    await act(stack, anna, ticket_id, "take")
    await act(stack, stack.admin, ticket_id, "assign", {"operator_id": boris.id})
    await act(
        stack, boris, ticket_id, "messages", {"text": "Обновите приложение", "client_message_id": "b-1"}
    )
    await act(
        stack, boris, ticket_id, "messages", {"text": "Обновите приложение", "client_message_id": "b-1"}
    )
    await act(stack, boris, ticket_id, "notes", {"text": "Похоже на известную ошибку"})
    await act(stack, boris, ticket_id, "messages", {"text": "И перезапустите телефон"})
    await act(stack, boris, ticket_id, "close")
    await stack.press(chat_id, await closing_message(stack, chat_id, ticket_id), "4")

    path = f"/api/v1/tickets/{ticket_id}/timeline"
    bodies: list[Any] = []

    async def rated() -> bool:
        bodies.append(await get_json(stack, path, boris))
        return any(item["kind"] == "rated" for item in bodies[-1]["items"])

    await eventually(rated, what="the rating in the timeline")
    items = bodies[-1]["items"]
    assert [(item["kind"], item["actor"], item["target"], item["count"]) for item in items] == [
        ("opened", None, None, 1),
        ("taken", anna.id, None, 1),
        ("assigned", stack.admin.id, boris.id, 1),
        ("replied", boris.id, None, 2),
        ("closed", boris.id, None, 1),
        ("rated", None, None, 1),
    ]
    assert items[-1]["score"] == 4
    assert items[3]["last_at"] >= items[3]["at"]
    moments = [item["at"] for item in items]
    assert moments == sorted(moments)
