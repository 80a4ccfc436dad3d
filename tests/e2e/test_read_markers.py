"""Read markers on the whole stack: a ticket is unread for an operator until they read it, again unread
when the customer writes more, per operator, and never once closed; the marker survives a reload (it is
the server's, not the page's)."""

from __future__ import annotations

import random
from typing import Any

import pytest

from tests.e2e.conftest import Operator, Stack
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def listed(stack: Stack, operator: Operator, ticket_id: str) -> dict[str, Any]:
    page = await stack.api.get("/api/v1/tickets", params={"limit": 200}, headers=operator.headers)
    assert page.status_code == 200, page.text
    (item,) = [item for item in page.json()["items"] if item["id"] == ticket_id]
    return dict(item)


async def test_unread_until_read_again_after_the_next_customer_message(stack: Stack) -> None:
    vera = await stack.operator("vera")
    chat_id = random.randrange(10**9, 2 * 10**9)
    await stack.customer_says(chat_id, "Здравствуйте, не проходит оплата картой")
    ticket = await stack.ticket_of(chat_id, vera)
    assert (await listed(stack, vera, ticket["id"]))["unread"] is True

    read = await stack.api.post(f"/api/v1/tickets/{ticket['id']}/read", headers=vera.headers)
    assert read.status_code == 204, read.text
    assert (await listed(stack, vera, ticket["id"]))["unread"] is False
    single = await stack.api.get(f"/api/v1/tickets/{ticket['id']}", headers=vera.headers)
    assert single.json()["unread"] is False
    # Markers are per operator: the admin has not read it.
    assert (await listed(stack, stack.admin, ticket["id"]))["unread"] is True

    await stack.customer_says(chat_id, "Пишет «операция отклонена»")

    async def unread_again() -> bool:
        return bool((await listed(stack, vera, ticket["id"]))["unread"])

    await eventually(unread_again, what="unread after the customer's next message")

    # A closed ticket calls for nobody.
    await stack.api.post(f"/api/v1/tickets/{ticket['id']}/take", headers=vera.headers)
    closed = await stack.api.post(f"/api/v1/tickets/{ticket['id']}/close", headers=vera.headers)
    assert closed.status_code == 200, closed.text
    assert (await listed(stack, vera, ticket["id"]))["unread"] is False


async def test_reading_needs_the_right_to_see_the_ticket(stack: Stack) -> None:
    owner, other = await stack.operator("gleb"), await stack.operator("dina")
    chat_id = random.randrange(10**9, 2 * 10**9)
    await stack.customer_says(chat_id, "Как сменить ПИН-код?")
    ticket = await stack.ticket_of(chat_id, owner)
    taken = await stack.api.post(f"/api/v1/tickets/{ticket['id']}/take", headers=owner.headers)
    assert taken.status_code == 200, taken.text
    refused = await stack.api.post(f"/api/v1/tickets/{ticket['id']}/read", headers=other.headers)
    assert refused.status_code == 403
    missing = await stack.api.post("/api/v1/tickets/no-such-ticket/read", headers=owner.headers)
    assert missing.status_code == 404
