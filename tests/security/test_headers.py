"""Every response of the gateway carries the security headers (CSP, no framing, nosniff, no referrer), and
the built console works under its CSP in a real browser (Debian's Chromium through Playwright): login,
the live WebSocket, a customer's photo from the S3 presigned URL and the charts of the stats page, with
no CSP violation reported."""

from __future__ import annotations

import random
import shutil
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest
from playwright.async_api import Browser, async_playwright, expect

from tests.e2e.conftest import ADMIN_PASSWORD, Stack
from tests.support.images import png

pytestmark = pytest.mark.integration

CONSOLE = Path(__file__).resolve().parents[2] / "frontend" / "dist" / "index.html"
NAMES = ("content-security-policy", "x-frame-options", "x-content-type-options", "referrer-policy")


def directives(policy: str) -> dict[str, list[str]]:
    parsed: dict[str, list[str]] = {}
    for directive in policy.split(";"):
        name, *sources = directive.split()
        parsed[name] = sources
    return parsed


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/healthz"),
        ("GET", "/api/v1/operators/me"),  # 401
        ("POST", "/api/v1/auth/login"),  # 422
        ("GET", "/api/v1/nothing-here"),  # 404
    ],
)
async def test_every_response_carries_the_security_headers(
    gateway: httpx.AsyncClient, method: str, path: str
) -> None:
    response = await gateway.request(method, path, json={} if method == "POST" else None)
    assert all(name in response.headers for name in NAMES), response.headers
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    policy = directives(response.headers["content-security-policy"])
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["script-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    # Files come from the gateway itself (its file links), so no other origin is trusted for media.
    assert policy["img-src"] == ["'self'", "data:"]
    assert policy["media-src"] == ["'self'"]
    assert not any("*" in source for sources in policy.values() for source in sources), policy
    host = str(gateway.base_url.netloc.decode())
    assert policy["connect-src"] == ["'self'", f"ws://{host}", f"wss://{host}"]


async def test_a_forged_host_cannot_add_sources(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/healthz", headers={"Host": "evil.example; script-src *"})
    policy = directives(response.headers["content-security-policy"])
    assert policy["script-src"] == ["'self'"]
    assert policy["connect-src"] == ["'self'"]


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    chromium = shutil.which("chromium")
    assert chromium, "Debian's chromium is missing: python3 -m infra.engines install tools"
    assert CONSOLE.is_file(), "the console is not built: make console"
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        yield launched
        await launched.close()


async def test_the_console_works_under_its_content_security_policy(
    shared_stack: Stack, browser: Browser
) -> None:
    stack = shared_stack
    chat_id = random.randrange(10**9, 2 * 10**9)
    await stack.customer_sends_file(chat_id, "photo", "screen.png", png(40, 30), "image/png", "Скриншот")
    await stack.ticket_of(chat_id)

    page = await browser.new_page(viewport={"width": 1366, "height": 768}, locale="ru-RU")
    violations: list[str] = []
    page.on(
        "console",
        lambda message: (
            violations.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )

    def report_violation(text: str) -> None:
        violations.append(text)

    await page.expose_function("reportViolation", report_violation)
    await page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => "
        "window.reportViolation(`${e.violatedDirective} blocked ${e.blockedURI}`))"
    )

    loaded = await page.goto(stack.gateway_url)
    assert loaded is not None
    assert "content-security-policy" in loaded.headers, "the console has no CSP"
    await page.get_by_label("Логин").fill("admin")
    await page.get_by_label("Пароль").fill(ADMIN_PASSWORD)
    await page.get_by_role("button", name="Войти").click()
    await expect(page.locator(".live--online")).to_be_visible(timeout=15_000)  # the WebSocket is up

    await page.locator(".ticket-item", has_text="Скриншот").first.click()
    photo = page.locator(".attachment--photo img").first
    await expect(photo).to_be_visible()
    loaded_photo = "image => image.complete && image.naturalWidth > 0"
    await page.wait_for_function(loaded_photo, arg=await photo.element_handle())
    assert (await photo.get_attribute("src") or "").startswith("/api/v1/files/")

    await page.get_by_role("link", name="Статистика").click()
    await expect(page.get_by_test_id("kpi-tickets_created")).to_be_visible()
    await expect(page.locator(".recharts-surface").first).to_be_visible()  # a chart was drawn

    await page.reload()
    await expect(page.locator(".live--online")).to_be_visible(timeout=15_000)
    assert violations == []
