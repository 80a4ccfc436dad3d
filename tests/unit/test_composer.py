"""ReplyComposer against the fake OpenAI-compatible server: the LLM's reply when it gives a usable one,
the best template answer otherwise (not configured, errors, timeouts, cut-off or invented figures)."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest

from fakes.llm import FakeLlm, Fault
from services.ml.composer import ReplyComposer, invented_figures, reply_language
from services.ml.kb import Entry
from services.ml.retriever import Hit
from t1lib.llm import LlmClient, LlmSettings

HITS = [
    Hit(
        Entry(
            "e1",
            "Продукты - Карты",
            "Дебетовые карты - MORE",
            "Сколько стоит обслуживание карты MORE?",
            "Обслуживание карты MORE бесплатное при оборотах от 500 BYN в месяц, иначе 3,50 BYN.",
        ),
        0.93,
    ),
    Hit(
        Entry(
            "e2", "Продукты - Карты", "Дебетовые карты - MORE", "Как оформить карту MORE?", "В приложении."
        ),
        0.91,
    ),
]
QUERY = "скока стоит обслуживание карты море в месяц"

Composer = Callable[..., ReplyComposer]


@pytest.fixture
async def fake() -> AsyncIterator[FakeLlm]:
    async with FakeLlm() as server:
        yield server


@pytest.fixture
async def composer(fake: FakeLlm) -> AsyncIterator[Composer]:
    clients: list[LlmClient] = []

    def make(api_key: str | None = None, **options: Any) -> ReplyComposer:
        settings = LlmSettings(
            llm_base_url=fake.base_url,
            llm_api_key=fake.api_key if api_key is None else api_key,
            llm_retry_backoff_s=0.01,
        )
        client = LlmClient(settings)
        clients.append(client)
        values: dict[str, Any] = {"attempt_timeout_s": 2.0, "total_timeout_s": 4.0, "max_retries": 1}
        values.update(options)
        return ReplyComposer(client, **values)

    yield make
    for client in clients:
        await client.aclose()


async def test_the_llm_writes_the_reply_from_the_hints(fake: FakeLlm, composer: Composer) -> None:
    fake.script("Обслуживание карты MORE бесплатное, если оборот от 500 BYN в месяц; иначе 3,50 BYN.")
    reply = await composer().compose(QUERY, HITS, customer_name="Ольга")
    assert reply.source == "llm"
    assert reply.text.startswith("Здравствуйте, Ольга! Обслуживание карты MORE бесплатное")
    assert reply.model
    assert reply.fallback_reason == ""
    [request] = fake.state.completions()
    system_prompt, user_prompt = request.messages[0]["content"], request.messages[1]["content"]
    assert "русском" in system_prompt
    assert QUERY in user_prompt
    assert all(hit.entry.answer in user_prompt for hit in HITS)


async def test_an_english_customer_gets_an_english_reply(fake: FakeLlm, composer: Composer) -> None:
    fake.script("MORE card maintenance is free with a turnover of 500 BYN a month, otherwise 3.50 BYN.")
    reply = await composer().compose("How much is the MORE card per month?", HITS)
    assert reply.source == "llm"
    assert "английском" in fake.state.completions()[0].messages[0]["content"]


CLOSING = "\n\nЕсли останутся вопросы — пишите."


async def test_without_an_api_key_the_template_answer_is_the_reply(fake: FakeLlm, composer: Composer) -> None:
    reply = await composer(api_key="").compose(QUERY, HITS, customer_name="Ольга")
    assert (reply.source, reply.text, reply.fallback_reason) == (
        "template",
        f"Здравствуйте, Ольга! {HITS[0].entry.answer}{CLOSING}",
        "llm not configured",
    )
    assert fake.state.completions() == []
    english = await composer(api_key="").compose("How much is the MORE card?", HITS, customer_name="Olga")
    assert (
        english.text == f"Hello, Olga! {HITS[0].entry.answer}\n\nIf you have any other questions, just write."
    )


LOST_CARD = Entry(
    "e3",
    "Частные клиенты",
    "Банковские карточки",
    "Действия при утрате карточки",
    "При утрате карточки рекомендуется незамедлительно заблокировать её любым доступным способом:\n"
    "- через интернет-банк или мобильное приложение;\n"
    "- с помощью услуги «USSD-блокировка»: отправьте с номера телефона, известного банку, команду "
    "13021XXXX#, где XXXX — последние четыре цифры номера карточки;\n"
    "- по телефонам контакт-центра +375 17 309 15 15 и +375 29 309 15 15.\n"
    "Новую карточку можно заказать в приложении или в любом офисе банка. Перевыпуск стоит 5 BYN, "
    "срок изготовления до 10 рабочих дней.",
)


async def test_the_template_reply_keeps_what_the_customer_asked(fake: FakeLlm, composer: Composer) -> None:
    hits = [Hit(LOST_CARD, 0.9)]
    query = "Здравствуйте\nпотеряла карту, как её заблокировать через USSD?\nАлло, вы тут?"
    reply = await composer(api_key="").compose(query, hits, customer_name="Анна")
    assert reply.text == (
        "Здравствуйте, Анна! При утрате карточки рекомендуется незамедлительно заблокировать её любым "
        "доступным способом:\n- с помощью услуги «USSD-блокировка»: отправьте с номера телефона, известного "
        "банку, команду 13021XXXX#, где XXXX — последние четыре цифры номера карточки;" + CLOSING
    )
    # Asked about the new card: the lead and what is said of reissuing, not the ways to block it.
    reissue = await composer(api_key="").compose("сколько стоит перевыпуск новой карточки", hits)
    assert "Перевыпуск стоит 5 BYN" in reissue.text
    assert "USSD" not in reissue.text
    # A question that matches nothing beyond the lead: the whole answer.
    whole = await composer(api_key="").compose("что делать при утрате?", hits)
    assert whole.text == f"Здравствуйте! {LOST_CARD.answer}{CLOSING}"


async def test_provider_errors_fall_back_to_the_template(fake: FakeLlm, composer: Composer) -> None:
    fake.fail(Fault("error", count=2, status=503))
    reply = await composer().compose(QUERY, HITS)
    assert reply.source == "template"
    assert reply.text == f"Здравствуйте! {HITS[0].entry.answer}{CLOSING}"
    assert "503" in reply.fallback_reason
    assert len(fake.state.completions()) == 2  # the first attempt and one retry


async def test_a_slow_provider_falls_back_within_the_budget(fake: FakeLlm, composer: Composer) -> None:
    fake.fail(Fault("delay", count=5, delay_s=3.0))
    started = time.monotonic()
    reply = await composer(attempt_timeout_s=0.3, total_timeout_s=0.8).compose(QUERY, HITS)
    assert time.monotonic() - started < 2.0
    assert (reply.source, reply.fallback_reason) == ("template", "llm timed out")


async def test_a_reply_with_invented_figures_is_not_used(fake: FakeLlm, composer: Composer) -> None:
    fake.script("Обслуживание стоит 7 BYN в месяц, звоните +375 17 309 15 15.")
    reply = await composer().compose(QUERY, HITS)
    assert reply.source == "template"
    assert "figures not in the hints" in reply.fallback_reason


async def test_a_cut_off_reply_is_not_used(fake: FakeLlm, composer: Composer) -> None:
    fake.script("Обслуживание карты бесплатное при обороте от пятисот рублей. " * 20)
    reply = await composer(max_tokens=20).compose(QUERY, HITS)
    assert (reply.source, reply.fallback_reason) == ("template", "llm reply was cut off")


async def test_no_hints_no_reply(fake: FakeLlm, composer: Composer) -> None:
    reply = await composer().compose(QUERY, [])
    assert (reply.source, reply.text) == ("none", "")
    assert fake.state.completions() == []


def test_reply_language() -> None:
    assert reply_language("Какой процент по вкладу?") == "ru"
    assert reply_language("What is the deposit rate?") == "en"
    assert reply_language("kak oformit kartu more") == "ru"
    assert reply_language("What is the rate?", "ru-RU") == "ru"


def test_invented_figures() -> None:
    sources = ["Ставка 5,5% годовых, минимум 1 000 BYN, звоните 7799."]
    assert invented_figures("Ставка 5.5% и минимум 1000 BYN, телефон 7799", sources) == set()
    assert invented_figures("Ставка 6%", sources) == {"6"}


async def test_the_fakes_default_answer_is_a_reply(fake: FakeLlm, composer: Composer) -> None:
    """What `make up` with the fake LLM shows: the fake recognises our prompt as a reply request."""
    reply = await composer().compose(QUERY, HITS)
    assert reply.source == "llm"
    assert reply.text.startswith("Здравствуйте!")
    assert HITS[0].entry.answer in reply.text
    assert not reply.text.endswith(CLOSING)  # the LLM writes its own ending
