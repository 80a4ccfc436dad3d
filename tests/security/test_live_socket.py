"""The console's live socket in a real browser (Debian's Chromium through Playwright) on the whole stack:
the access token rides in the `Sec-WebSocket-Protocol` header, the URL carries none, and the console goes
live (a customer's new message shows without a reload)."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, WebSocket, expect

from tests.e2e.conftest import Stack, open_stack
from tests.e2e.test_console_stats import browser, signed_in

__all__ = ["browser"]

pytestmark = pytest.mark.integration


@pytest.fixture
async def stack(engines: dict[str, str]) -> AsyncIterator[Stack]:
    async with open_stack(engines) as holder:
        yield holder


async def test_the_console_goes_live_without_a_token_in_the_url(stack: Stack, browser: Browser) -> None:
    anna = await stack.operator("anna")
    sockets: list[WebSocket] = []
    page = await signed_in(browser, stack, anna, 1366, 768)
    page.on("websocket", lambda socket: sockets.append(socket))
    await page.reload()  # the session lasts the tab's life: the console connects again, now watched
    await expect(page.get_by_role("status")).to_have_text("В сети")

    chat_id = random.randrange(10**9, 2 * 10**9)
    await stack.customer_says(chat_id, "Добрый день! Карта заблокирована после трёх попыток ввода ПИН")
    arrived = page.get_by_text("Карта заблокирована после трёх попыток").first
    await expect(arrived).to_be_visible(timeout=20_000)

    assert sockets, "the console opened no WebSocket"
    for socket in sockets:
        assert socket.url == stack.gateway_url.replace("http", "ws", 1) + "/api/v1/ws"
