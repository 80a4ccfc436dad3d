"""Fixtures of the security tests: the gateway alone (tests/gateway) for what needs no ticket, and the
whole stack (tests/e2e) once per module for what does: its start costs seconds, and every test works on
tickets of its own."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.e2e.conftest import Stack, open_stack
from tests.gateway.conftest import admin_name, gateway, gateway_settings

__all__ = ["admin_name", "gateway", "gateway_settings", "shared_stack", "ticket"]


@pytest.fixture(scope="module")
async def shared_stack(engines: dict[str, str]) -> AsyncIterator[Stack]:
    async with open_stack(engines) as stack:
        yield stack


@pytest.fixture
async def ticket(shared_stack: Stack) -> dict[str, Any]:
    """A ticket of a new customer, taken by the admin."""
    chat_id = random.randrange(10**9, 2 * 10**9)
    await shared_stack.customer_says(chat_id, "Здравствуйте! Не проходит оплата картой")
    found = await shared_stack.ticket_of(chat_id)
    taken = await shared_stack.api.post(
        f"/api/v1/tickets/{found['id']}/take", headers=shared_stack.admin.headers
    )
    assert taken.status_code == 200, taken.text
    return found
