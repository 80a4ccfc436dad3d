"""A closed ticket rated in Telegram, end to end on the real engines: the closing message's buttons, the
press, the comment, the rating on the ticket and the operator's figures."""

from __future__ import annotations

import random
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from prometheus_client import REGISTRY

from tests.e2e.conftest import Stack
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def eventually_get(stack: Stack, path: str, headers: dict[str, str], ready: Any, **params: str) -> Any:
    """The body of GET `path` once `ready` holds for it."""
    bodies: list[Any] = []

    async def check() -> bool:
        response = await stack.api.get(path, headers=headers, params=params)
        assert response.status_code == 200, response.text
        bodies.append(response.json())
        return bool(ready(bodies[-1]))

    await eventually(check, what=f"GET {path}")
    return bodies[-1]


async def test_a_closed_ticket_is_rated_and_commented_in_telegram_and_counted_for_its_operator(
    stack: Stack,
) -> None:
    dina = await stack.operator("dina")
    chat_id = random.randrange(10**9, 2 * 10**9)
    ticket, closing = await stack.handled_and_closed(
        dina, chat_id, "Не приходит код подтверждения", "Проверьте номер телефона"
    )
    buttons = [button for row in closing.payload["reply_markup"]["inline_keyboard"] for button in row]
    assert [button["text"] for button in buttons] == ["1", "2", "3", "4", "5"]
    await stack.press(chat_id, closing, "4")
    path = f"/api/v1/tickets/{ticket['id']}"
    rated = await eventually_get(stack, path, dina.headers, lambda body: body["rating"] is not None)
    assert rated["rating"]["score"] == 4

    await stack.customer_says(chat_id, "Всё заработало, спасибо")
    commented = await eventually_get(
        stack, path, dina.headers, lambda body: body["rating"] and body["rating"]["comment"]
    )
    assert commented["rating"] == {**commented["rating"], "score": 4, "comment": "Всё заработало, спасибо"}
    closed_list = await stack.api.get("/api/v1/tickets", params={"status": "closed"}, headers=dina.headers)
    assert closed_list.status_code == 200, closed_list.text
    listed = {item["id"]: item["rating"] for item in closed_list.json()["items"]}
    assert listed[ticket["id"]]["score"] == 4

    today = datetime.now(ZoneInfo("Europe/Minsk")).date().isoformat()
    own = await eventually_get(
        stack,
        "/api/v1/stats/summary",
        dina.headers,
        lambda body: body["ratings_count"] >= 1,
        **{"from": today, "to": today},
    )
    assert (own["tickets_closed"], own["ratings_count"], own["csat_average"]) == (1, 1, 4.0)
    # Prometheus shows the desk's current CSAT (the last 30 days): this stack's only rating.
    assert REGISTRY.get_sample_value("t1_stats_csat_average") == 4.0
    assert own["first_response_p50_s"] is not None
    refused = await stack.api.get(
        "/api/v1/stats/summary", headers=dina.headers, params={"operator_id": stack.admin.id}
    )
    assert refused.status_code == 403
