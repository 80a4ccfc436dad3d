"""«Печатает…» end to end: the console's POST /tickets/{id}/typing → gateway (the operator may reply to
the ticket) → operator_typing → bot → sendChatAction(typing) on the fake Telegram."""

from __future__ import annotations

import random
import uuid
from collections.abc import AsyncIterator

import pytest

from fakes.telegram.state import CallRecord
from tests.e2e.conftest import Stack, open_stack

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
async def shared_stack(engines: dict[str, str]) -> AsyncIterator[Stack]:
    async with open_stack(engines) as stack:
        yield stack


def actions(stack: Stack, chat_id: int) -> list[CallRecord]:
    return stack.telegram.state.calls_of("sendChatAction", chat_id)


async def test_an_operator_typing_shows_the_customer_typing(shared_stack: Stack) -> None:
    stack = shared_stack
    chat_id = random.randrange(10**9, 2 * 10**9)
    await stack.customer_says(chat_id, "Здравствуйте! Не проходит перевод")
    ticket = await stack.ticket_of(chat_id)
    operator = await stack.operator(f"typist{uuid.uuid4().hex[:8]}")
    url = f"/api/v1/tickets/{ticket['id']}/typing"

    answer = await stack.api.post(url, headers=operator.headers)
    assert answer.status_code == 202, answer.text
    [call] = await stack.telegram.state.wait_for(lambda: actions(stack, chat_id), timeout_s=30)
    assert call.params["action"] == "typing"
    assert call.status == 200
    # Typing does not take a ticket from the queue.
    after = await stack.api.get(f"/api/v1/tickets/{ticket['id']}", headers=operator.headers)
    assert after.json()["status"] == "open"
    assert after.json()["assignee"] is None


async def test_only_for_a_ticket_the_operator_may_reply_to(shared_stack: Stack) -> None:
    stack = shared_stack
    chat_id = random.randrange(10**9, 2 * 10**9)
    await stack.customer_says(chat_id, "Добрый день, вопрос по вкладу")
    ticket = await stack.ticket_of(chat_id)
    url = f"/api/v1/tickets/{ticket['id']}/typing"
    taken = await stack.api.post(f"/api/v1/tickets/{ticket['id']}/take", headers=stack.admin.headers)
    assert taken.status_code == 200, taken.text
    other = await stack.operator(f"other{uuid.uuid4().hex[:8]}")

    refused = await stack.api.post(url, headers=other.headers)
    assert refused.status_code == 403, refused.text
    assert (await stack.api.post(url)).status_code == 401
    missing = await stack.api.post(f"/api/v1/tickets/{uuid.uuid4()}/typing", headers=other.headers)
    assert missing.status_code == 404, missing.text

    closed = await stack.api.post(f"/api/v1/tickets/{ticket['id']}/close", headers=stack.admin.headers)
    assert closed.status_code == 200, closed.text
    assert (await stack.api.post(url, headers=stack.admin.headers)).status_code == 409
    # The refused calls published nothing: by the time another ticket's typing has reached its customer,
    # this customer has seen none.
    sentinel_chat = random.randrange(10**9, 2 * 10**9)
    await stack.customer_says(sentinel_chat, "А у меня вопрос по карте")
    sentinel = await stack.ticket_of(sentinel_chat)
    accepted = await stack.api.post(f"/api/v1/tickets/{sentinel['id']}/typing", headers=other.headers)
    assert accepted.status_code == 202, accepted.text
    await stack.telegram.state.wait_for(lambda: actions(stack, sentinel_chat), timeout_s=30)
    assert actions(stack, chat_id) == []
