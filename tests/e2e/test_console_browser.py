"""The operator console in a real browser (Debian's Chromium through Playwright) on the whole stack with
ml: an operator's day with a customer, on a 1366x768 laptop and on a 390x844 phone. Every step leaves a
screenshot under .data/screenshots/<test>/ for a reviewer to look at."""

from __future__ import annotations

import random
import re
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, Page, expect

from fakes.telegram.state import CallRecord
from tests.e2e.conftest import Operator, Stack
from tests.support.browser import Screens, chromium, horizontal_overflow

pytestmark = pytest.mark.integration

LOST_CARD = "Добрый день! Потеряла карточку вашего банка, что мне теперь делать?"
LAPTOP = {"width": 1366, "height": 768}
PHONE = {"width": 390, "height": 844}


# Records desktop notifications and chimes instead of showing and playing them.
RECORD_ALERTS = """() => {
  window.__alerts = [];
  window.__chimes = 0;
  class RecordedNotification {
    static permission = 'granted';
    static requestPermission = async () => 'granted';
    constructor(title, options) { window.__alerts.push({ title, body: (options && options.body) || '' }); }
    close() {}
  }
  window.Notification = RecordedNotification;
  const node = () => ({ connect: () => node(), start() {}, stop() {}, frequency: {},
    gain: { setValueAtTime() {}, exponentialRampToValueAtTime() {} } });
  window.AudioContext = class {
    get currentTime() { return 0; }
    get destination() { return {}; }
    createOscillator() { window.__chimes += 1; return node(); }
    createGain() { return node(); }
  };
}"""
BACKGROUND = """() => {
  Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
  document.hasFocus = () => false;
}"""
FOREGROUND = """() => {
  delete document.visibilityState;
  document.hasFocus = () => true;
}"""


@pytest.fixture
async def browser() -> AsyncIterator[Browser]:
    async with chromium() as launched:
        yield launched


def chat() -> int:
    return random.randrange(10**9, 2 * 10**9)


async def signed_in(browser: Browser, stack: Stack, operator: Operator, viewport: dict[str, int]) -> Page:
    page = await browser.new_page(viewport=viewport, locale="ru-RU")  # type: ignore[arg-type]
    await page.context.grant_permissions(["notifications"], origin=stack.gateway_url)
    await page.goto(stack.gateway_url)
    await page.get_by_label("Логин").fill(operator.username)
    await page.get_by_label("Пароль").fill(f"пароль-{operator.username}")
    await page.get_by_role("button", name="Войти").click()
    await expect(page.locator(".live--online")).to_be_visible(timeout=15_000)
    return page


async def inside_viewport(page: Page, selector: str, count: int = 1) -> None:
    """The first `count` elements matching `selector` are fully on screen without scrolling."""
    viewport = page.viewport_size
    assert viewport is not None
    items = page.locator(selector)
    await expect(items.nth(count - 1)).to_be_visible()
    for index in range(count):
        box = await items.nth(index).bounding_box()
        assert box is not None, f"{selector} #{index} has no box"
        assert box["y"] >= 0
        assert box["y"] + box["height"] <= viewport["height"], f"{selector} #{index} ends at {box}"
        assert box["x"] + box["width"] <= viewport["width"], f"{selector} #{index} ends at {box}"


async def test_an_operators_conversation_on_a_laptop(assisted_stack: Stack, browser: Browser) -> None:
    stack = assisted_stack
    screens = Screens("console-laptop")
    anna = await stack.operator("anna")
    # The desk's canned replies are there before the shift starts (the console caches them for a minute).
    template = await stack.api.post(
        "/api/v1/templates",
        json={"title": "Перевыпуск карточки", "text": "{имя}, новую карточку можно заказать в приложении."},
        headers=stack.admin.headers,
    )
    assert template.status_code == 201, template.text
    page = await signed_in(browser, stack, anna, LAPTOP)
    await screens.take(page, "signed-in")

    # The customer writes; the ticket shows up in the queue with no reload.
    chat_id = chat()
    await stack.customer_says(chat_id, LOST_CARD)
    item = page.locator(".ticket-item", has_text="Потеряла карточку")
    await expect(item).to_be_visible(timeout=20_000)
    await screens.take(page, "arrived-live")

    # Opening it gives it an address; hints, the conversation and the reply box fit one laptop screen.
    await item.click()
    await expect(page).to_have_url(re.compile(r"/tickets/[^/]+$"))
    ticket_url = page.url
    await expect(page.locator(".bubble", has_text="Потеряла карточку")).to_be_visible()
    await inside_viewport(page, ".hints__list .hint", 3)
    await inside_viewport(page, ".reply__text")
    await inside_viewport(page, ".bubble")
    await screens.take(page, "open-ticket-hints-in-view")

    # T takes the ticket (a keyboard shortcut); a click on the first hint fills the reply; Ctrl+Enter sends.
    await page.locator("body").press("t")
    await expect(page.get_by_role("button", name="Взять")).to_have_count(0)
    await expect(page.get_by_role("tab", name=re.compile("Мои"))).to_contain_text("1")  # the tab's counter
    first_hint = page.locator(".hints__list .hint").first
    answer = (await first_hint.locator(".hint__answer").inner_text()).strip()
    await first_hint.click()
    reply = page.get_by_label("Ответ клиенту")
    await expect(reply).to_be_focused()
    await expect(reply).to_have_value(re.compile(re.escape(answer[:40])))
    await screens.take(page, "hint-inserted")
    await reply.press("Control+Enter")
    (sent,) = await stack.bot_sent(chat_id, 1, "sendMessage")
    assert answer[:40] in (sent.text or "")
    await expect(page.locator(".bubble--operator", has_text=answer[:40])).to_be_visible()
    await screens.take(page, "reply-sent")

    # A note stays with the operators: the next reply reaches the customer, the note never does.
    await page.get_by_role("checkbox", name="Заметка").check()
    await page.get_by_label("Внутренняя заметка", exact=True).fill("Клиентка просила перезвонить после обеда")
    await page.get_by_role("button", name="Добавить заметку").click()
    await expect(page.locator(".bubble", has_text="перезвонить после обеда")).to_be_visible()
    await page.get_by_role("checkbox", name="Заметка").uncheck()
    await page.get_by_label("Ответ клиенту").fill("Карточку заблокировали, новая будет готова через 5 дней.")
    await page.get_by_role("button", name="Отправить", exact=True).click()
    first, second = await stack.bot_sent(chat_id, 2, "sendMessage")
    assert "новая будет готова" in (second.text or "")
    assert all("перезвонить" not in (message.text or "") for message in (first, second))
    await screens.take(page, "note-and-reply")

    # A canned reply: / opens the picker; the template is filled in for this customer.
    reply = page.get_by_label("Ответ клиенту")
    await reply.fill("/перевып")
    option = page.get_by_role("option", name=re.compile("Перевыпуск карточки"))
    await expect(option).to_be_visible()
    await screens.take(page, "canned-reply-picker")
    await reply.press("Enter")
    await expect(reply).to_have_value("Иван, новую карточку можно заказать в приложении.")
    await reply.press("Enter")
    *_, canned = await stack.bot_sent(chat_id, 3, "sendMessage")
    assert canned.text == "Иван, новую карточку можно заказать в приложении."

    # The address survives a reload and back/forward.
    await page.reload()
    await expect(page.get_by_role("heading", level=2)).to_be_visible()
    await expect(page.locator(".bubble", has_text="новая будет готова")).to_be_visible()
    assert page.url == ticket_url
    await page.get_by_role("link", name="База знаний").click()
    await expect(page).to_have_url(re.compile(r"/kb$"))
    await page.go_back()
    await expect(page).to_have_url(ticket_url)
    await expect(page.locator(".bubble", has_text="новая будет готова")).to_be_visible()
    await screens.take(page, "deep-link-reloaded")

    # ? lists the shortcuts.
    await page.locator("body").press("Shift+Slash")
    help_dialog = page.get_by_role("dialog", name="Клавиши")
    await expect(help_dialog).to_be_visible()
    await screens.take(page, "shortcuts")
    await page.keyboard.press("Escape")
    await expect(help_dialog).to_have_count(0)

    # The details collapse to their title line and keep the choice.
    customer = page.locator('[data-section="customer"]')
    await expect(customer).not_to_have_attribute("open", "")
    await customer.locator("summary").click()
    await expect(customer.get_by_text("@ivan", exact=False)).to_be_visible()
    await page.reload()
    await expect(page.locator('[data-section="customer"]')).to_have_attribute("open", "")
    await screens.take(page, "details-open")

    # With the tab in the background, a customer's message on my ticket chimes and shows a desktop
    # notification, once the operator opted in (the browser's Notification and audio are recorded here).
    await page.evaluate(RECORD_ALERTS)
    await page.get_by_role("button", name="Оповещения").click()
    await page.get_by_label("Звук").check()
    await page.get_by_label("Уведомления на рабочем столе").check()
    await screens.take(page, "alerts-opted-in")
    await page.keyboard.press("Escape")
    chimes_before = await page.evaluate("() => window.__chimes")
    await page.evaluate(BACKGROUND)
    await stack.customer_says(chat_id, "А сколько стоит перевыпуск?")
    await page.wait_for_function("() => window.__alerts.length > 0", timeout=20_000)
    alerts = await page.evaluate("() => window.__alerts")
    assert alerts == [{"title": "Новое сообщение: Иван Петров", "body": "А сколько стоит перевыпуск?"}]
    assert await page.evaluate("() => window.__chimes") > chimes_before
    await page.evaluate(FOREGROUND)

    # Closing while the customer's last message is unanswered asks twice; the customer is told it closed.
    await expect(page.locator(".bubble", has_text="сколько стоит перевыпуск")).to_be_visible()
    sent_before = len(stack.telegram.state.bot_messages(chat_id))
    await page.get_by_role("button", name="Закрыть", exact=True).click()
    dialog = page.get_by_role("dialog", name="Закрыть обращение")
    await expect(dialog).to_contain_text("Последнее сообщение клиента осталось без ответа")
    await screens.take(page, "close-warning")
    await dialog.get_by_role("button", name="Всё равно закрыть").click()
    await expect(page.locator(".conversation__sub")).to_contain_text("Закрыто")
    *_, closing = await stack.bot_sent(chat_id, sent_before + 1)
    assert closing.payload.get("reply_markup"), "the closing message asks for a rating"
    await screens.take(page, "closed")


async def test_the_queue_puts_the_longest_waiting_customer_first(stack: Stack, browser: Browser) -> None:
    screens = Screens("console-queue-order")
    zoya = await stack.operator("zoya")
    first, second, third = chat(), chat(), chat()
    for chat_id, text in (
        (first, "Первый: не работает карта"),
        (second, "Второй: как оплатить кредит"),
        (third, "Третий: забыл пароль"),
    ):
        await stack.customer_says(chat_id, text)
        await stack.ticket_of(chat_id, zoya)
    await stack.customer_says(first, "Первый: всё ещё жду ответа")  # the newest activity, the longest wait

    page = await signed_in(browser, stack, zoya, LAPTOP)
    items = page.locator(".ticket-item")
    await expect(items).to_have_count(3, timeout=20_000)
    names = [await items.nth(index).inner_text() for index in range(3)]
    assert ["Первый" in names[0], "Второй" in names[1], "Третий" in names[2]] == [True, True, True], names
    await expect(items.first).to_contain_text("ждёт")
    await screens.take(page, "queue-by-waiting")


async def test_the_console_on_a_phone(stack: Stack, browser: Browser) -> None:
    screens = Screens("console-phone")
    boris = await stack.operator("boris")
    chat_id = chat()
    await stack.customer_says(chat_id, "Не приходит СМС с кодом подтверждения для входа в приложение банка")
    page = await signed_in(browser, stack, boris, PHONE)
    item = page.locator(".ticket-item", has_text="СМС с кодом")
    await expect(item).to_be_visible(timeout=20_000)
    assert await horizontal_overflow(page) <= 0, "the queue scrolls sideways on a phone"
    await screens.take(page, "queue")

    # One column: the conversation replaces the list; its title and actions don't overlap.
    await item.click()
    await expect(page.locator(".bubble", has_text="СМС с кодом")).to_be_visible()
    await expect(page.locator(".queue")).to_be_hidden()
    assert await horizontal_overflow(page) <= 0, "the conversation scrolls sideways on a phone"
    title = await page.locator(".conversation__title").bounding_box()
    take = await page.get_by_role("button", name="Взять").bounding_box()
    assert title is not None
    assert take is not None
    assert take["y"] >= title["y"] + title["height"] or take["x"] >= title["x"] + title["width"], (
        title,
        take,
    )
    await inside_viewport(page, ".reply__text")
    await screens.take(page, "conversation")

    # Hints and details follow the conversation; the back link returns to the list.
    await page.locator(".console__side").scroll_into_view_if_needed()
    assert await horizontal_overflow(page) <= 0
    await screens.take(page, "details", full_page=True)
    await page.get_by_role("link", name="К списку обращений").click()
    await expect(item).to_be_visible()
    await expect(page).to_have_url(re.compile(r"/$"))
    await screens.take(page, "back-to-queue")

    # The other pages fit a phone too.
    for name, path in (("База знаний", "/kb"), ("Статистика", "/stats")):
        await page.get_by_role("link", name=name).click()
        await expect(page).to_have_url(re.compile(f"{path}$"))
        await expect(page.locator("main")).to_be_visible()
        await page.wait_for_load_state("networkidle")
        assert await horizontal_overflow(page) <= 0, f"{path} scrolls sideways on a phone"
        await screens.take(page, path.strip("/"), full_page=True)


async def test_a_returning_customer(assisted_stack: Stack, browser: Browser) -> None:
    """Unread marks that survive a reload, the customer's earlier ticket with its rating and transcript,
    the ticket's timeline, «печатает…» in Telegram, a greeting in the ready reply, the knowledge base
    searched on the server, and the console's assets served immutable and compressed."""
    stack = assisted_stack
    screens = Screens("console-returning-customer")
    lida = await stack.operator("lida")
    chat_id = chat()
    _earlier, closing = await stack.handled_and_closed(
        lida, chat_id, "Как подключить СМС-оповещения?", "Подключить оповещения можно в интернет-банке."
    )
    await stack.press(chat_id, closing, "5")
    await stack.customer_says(chat_id, "Потеряла карточку, что делать?")
    await stack.ticket_of(chat_id, lida)

    page = await browser.new_page(viewport=LAPTOP, locale="ru-RU")  # type: ignore[arg-type]
    assets: list[dict[str, str]] = []
    page.on(
        "response",
        lambda response: assets.append(response.headers) if "/assets/index-" in response.url else None,
    )
    await page.goto(stack.gateway_url)
    await page.get_by_label("Логин").fill(lida.username)
    await page.get_by_label("Пароль").fill(f"пароль-{lida.username}")
    await page.get_by_role("button", name="Войти").click()
    item = page.locator(".ticket-item", has_text="Потеряла карточку")
    await expect(item).to_be_visible(timeout=20_000)
    assert assets, "the console's script and stylesheet were fetched"
    for headers in assets:
        assert "immutable" in headers.get("cache-control", ""), headers
        assert headers.get("content-encoding") in {"br", "gzip"}, headers

    # Unread: a dot and the count in the tab's title, still there after a reload (the server keeps them).
    await expect(item.locator(".dot")).to_be_visible()
    await expect(page).to_have_title(re.compile(r"^\(1\) T1 Support"))
    await page.reload()
    await expect(item.locator(".dot")).to_be_visible(timeout=20_000)
    await expect(page).to_have_title(re.compile(r"^\(1\) T1 Support"))
    await screens.take(page, "unread-after-reload")

    await item.click()
    await expect(page).to_have_title("T1 Support")
    await page.reload()
    await expect(page.locator(".bubble", has_text="Потеряла карточку")).to_be_visible()
    await expect(page.locator(".ticket-item", has_text="Потеряла карточку").locator(".dot")).to_have_count(0)

    # The customer's earlier ticket: rated 5, its conversation readable here.
    await page.get_by_role("button", name=re.compile("Обращения клиента")).click()
    earlier = page.locator(".customer-history__entry").first
    await expect(earlier).to_be_visible()
    await expect(page.locator(".customer-history").get_by_role("img", name=re.compile("5"))).to_be_visible()
    await earlier.click()
    await expect(page.locator(".customer-history")).to_contain_text(
        "Подключить оповещения можно в интернет-банке"
    )
    await page.get_by_role("button", name=re.compile("Хронология")).click()
    await expect(page.get_by_text("Клиент открыл обращение")).to_be_visible()
    await screens.take(page, "history-and-timeline", full_page=True)

    # Typing a reply shows «печатает…» to the customer.
    await page.get_by_label("Ответ клиенту").press_sequentially("Здравствуйте")

    def typing_sent() -> list[CallRecord] | None:
        return stack.telegram.state.calls_of("sendChatAction", chat_id) or None

    [call] = await stack.telegram.state.wait_for(typing_sent, timeout_s=30)
    assert call.params["action"] == "typing"

    # The ready reply greets the customer by name.
    await page.get_by_label("Ответ клиенту").fill("")
    await page.get_by_role("button", name="Составить ответ").click()
    draft = page.locator(".draft__text")
    await expect(draft).to_contain_text("Здравствуйте, Иван!", timeout=30_000)
    await screens.take(page, "ready-reply")

    # The knowledge base page asks the server: all 201 entries are searched, not the loaded page.
    await page.get_by_role("link", name="База знаний").click()
    await page.get_by_label("Поиск по базе знаний").fill("Какие лимиты по карте MORE?")
    first = page.locator(".kb-entry__question").first
    await expect(first).to_have_text("Какие лимиты по карте MORE?", timeout=20_000)
    await screens.take(page, "knowledge-search")
