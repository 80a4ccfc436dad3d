"""The console in a real browser (Debian's Chromium through Playwright) on the whole stack: a ticket
closed and rated in Telegram shows its rating in the closed queue and in the ticket's details, and the
«Статистика» page shows the operator's real figures, in Russian and in English, on a laptop and a phone."""

from __future__ import annotations

import random
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Locator, Page, expect

from tests.e2e.conftest import Operator, Stack
from tests.support.browser import chromium
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


async def signed_in(browser: Browser, stack: Stack, operator: Operator, width: int, height: int) -> Page:
    page = await browser.new_page(viewport={"width": width, "height": height}, locale="ru-RU")
    await page.goto(stack.gateway_url)
    await page.get_by_label("Логин").fill(operator.username)
    await page.get_by_label("Пароль").fill(f"пароль-{operator.username}")
    await page.get_by_role("button", name="Войти").click()
    await expect(page.get_by_role("link", name="Статистика")).to_be_visible()
    return page


def kpi(page: Page, field: str) -> Locator:
    """The value of a KPI card on the stats page."""
    return page.get_by_test_id(f"kpi-{field}").locator(".kpi__value")


async def test_ratings_and_the_stats_page_in_chromium(stack: Stack, browser: Browser) -> None:
    lena = await stack.operator("lena")
    chat_id = random.randrange(10**9, 2 * 10**9)
    ticket, closing = await stack.handled_and_closed(
        lena, chat_id, "Как закрыть вклад?", "Закрыть вклад можно в приложении"
    )
    await stack.press(chat_id, closing, "4")
    await stack.customer_says(chat_id, "Спасибо, всё понятно")

    async def rated_with_comment() -> bool:
        body = (await stack.api.get(f"/api/v1/tickets/{ticket['id']}", headers=lena.headers)).json()
        return bool(body["rating"] and body["rating"]["comment"])

    await eventually(rated_with_comment, what="the rating with its comment")

    page = await signed_in(browser, stack, lena, 1366, 768)
    await page.get_by_role("tab", name="Закрытые").click()
    badge = page.get_by_test_id("rating-badge").first
    await expect(badge).to_contain_text("4")
    await page.locator(".ticket-item").first.click()
    await page.locator('[data-section="ticket"] summary').click()  # the ticket's card is collapsed
    details = page.get_by_test_id("ticket-rating")
    await expect(details).to_contain_text("4/5")
    await expect(details).to_contain_text("Спасибо, всё понятно")

    await page.get_by_role("link", name="Статистика").click()
    await expect(kpi(page, "tickets_closed")).to_have_text("1")
    await expect(kpi(page, "csat_average")).to_have_text("4,0")
    await expect(page.get_by_test_id("kpi-ratings_count")).to_have_text("Оценок: 1")
    await expect(page.get_by_test_id("csat-score-4")).to_contain_text("1")
    operators = page.get_by_role("table", name="Операторы")
    await expect(operators.locator(f'[data-operator-id="{lena.id}"]')).to_be_visible()
    await expect(page.get_by_role("img").first).to_be_visible()  # a chart was drawn

    await page.get_by_role("button", name="EN").click()
    await expect(page.get_by_role("link", name="Statistics")).to_be_visible()
    await expect(kpi(page, "csat_average")).to_have_text("4.0")

    phone = await signed_in(browser, stack, lena, 390, 844)
    await phone.get_by_role("link", name="Статистика").click()
    await expect(kpi(phone, "csat_average")).to_have_text("4,0")
    page_width = await phone.evaluate("document.documentElement.scrollWidth")
    assert page_width <= 390, f"the stats page is {page_width} px wide on a 390 px phone"
