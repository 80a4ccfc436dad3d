"""The conversation's intent (services/ml/intent.py): chit-chat aside, follow-ups that add information
joined, new questions recognised; and, on the FAQ (in-process embedder and in-memory Qdrant, no engines),
hints that keep still through «Алло, вы тут?» and a conversation set on which the intent beats the
last messages joined."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from services.ml.desk import MAX_INTENT_MESSAGES, retriever_intent
from services.ml.embedder import CachingEmbedder
from services.ml.eval import build_retriever
from services.ml.eval_intent import evaluate_conversations, read_conversations
from services.ml.intent import conversation_intent, is_chitchat, names, substance
from services.ml.kb import Entry
from services.ml.retriever import Retriever

CONVERSATIONS = Path(__file__).resolve().parents[2] / "data" / "eval" / "conversations" / "vtb.jsonl"
FRAUD = "Здравствуйте! С моей карты списали 300 рублей, я эту покупку не совершал. Похоже на мошенников"


@pytest.mark.parametrize(
    "text",
    [
        "Алло, вы тут?",
        "алло",
        "Ау!!!",
        "Есть кто живой?",
        "Вы меня слышите?",
        "ну что там???",
        "Жду ответа",
        "Спасибо большое за помощь, всего доброго",
        "ок",
        "Понятно, спасибо",
        "Здравствуйте",
        "Добрый вечер!",
        "👍👍",
        "???",
        "Извините, вы тут?",
        "Hello, anyone there?",
    ],
)
def test_chitchat_is_recognised(text: str) -> None:
    assert is_chitchat(text)
    assert substance(text) == ""


@pytest.mark.parametrize(
    "text",
    [
        "карта заблокирована",
        "что там с моей заявкой на кредит",
        "Нет, не помогло",
        "Спасибо, а как разблокировать?",
        "блокировка",  # «ок» inside a word is not an «ок»
        "ало, почему не приходит смс",
    ],
)
def test_requests_are_not_chitchat(text: str) -> None:
    assert not is_chitchat(text)
    assert substance(text)


def test_leading_chitchat_of_a_sentence_goes() -> None:
    assert substance("Алло, вы тут, у меня карта не работает 😡") == "у меня карта не работает"
    assert substance("Здравствуйте! Карта не работает. Спасибо!") == "Карта не работает."


def test_chitchat_after_the_request_leaves_the_intent_unchanged() -> None:
    opening = [FRAUD]
    expected = conversation_intent(opening)
    assert expected == "С моей карты списали 300 рублей, я эту покупку не совершал. Похоже на мошенников"
    for chatter in (["Алло, вы тут?"], ["ау", "???"], ["Спасибо"], ["👍"], ["Ну что там?", "Жду ответа"]):
        assert conversation_intent([*opening, *chatter]) == expected


def test_the_opening_request_starts_the_intent_after_greetings() -> None:
    assert conversation_intent(["Здравствуйте", "Добрый день!", "Как оформить карту MORE?", "спасибо"]) == (
        "Как оформить карту MORE?"
    )
    assert conversation_intent(["Привет", "👋", "ау"]) == ""
    assert conversation_intent([]) == ""


def test_follow_ups_that_add_information_join_and_repeats_do_not() -> None:
    assert conversation_intent(["Не могу войти в интернет-банк", "пишет что такого клиента нет", "ок"]) == (
        "Не могу войти в интернет-банк\nпишет что такого клиента нет"
    )
    # Saying it again, or chasing, adds nothing.
    assert conversation_intent(["Карта заблокирована", "карта заблокирована!!!", "ну что?"]) == (
        "Карта заблокирована"
    )


def test_weighing_keeps_follow_ups_of_words_the_base_does_not_know_out() -> None:
    known = {"карт": 4.0, "заблокирова": 4.0, "пин": 4.0}

    def weight(text: str) -> float:
        return sum(value for stem, value in known.items() if stem in text.casefold())

    messages = ["Карта заблокирована", "я жду уже полчаса", "я три раза ввела пин неправильно"]
    assert conversation_intent(messages, weight, unit=4.0) == (
        "Карта заблокирована\nя три раза ввела пин неправильно"
    )


def test_a_next_question_replaces_the_earlier_one_but_keeps_its_names() -> None:
    assert names("Какие лимиты по карте MORE?") == "MORE"
    assert names("Как быстро получить карточку «Мир»?") == "Мир"
    assert conversation_intent(
        ["Какие лимиты по карте MORE?", "спасибо", "А сколько стоит её обслуживание?"]
    ) == ("MORE\nА сколько стоит её обслуживание?")
    # Statements stay as context; a question that points back («ее») continues the subject.
    assert conversation_intent(
        ["Хочу оформить карту Форсаж", "сколько минут ее делают?", "ок", "а какие документы с собой взять?"]
    ) == ("Хочу оформить карту Форсаж\nа какие документы с собой взять?")


def test_an_unrelated_question_starts_a_new_intent() -> None:
    assert conversation_intent(
        ["Карта заблокирована", "спасибо", "Ещё вопрос: как открыть вклад онлайн?"]
    ) == ("Ещё вопрос: как открыть вклад онлайн?")
    assert conversation_intent(["Почему карта заблокирована?", "Как открыть вклад онлайн?"]) == (
        "Как открыть вклад онлайн?"
    )
    # Before any question, a statement is the context of the question that follows.
    assert conversation_intent(
        ["Я ИП, зарегистрирован 7 месяцев назад", "Могу подать заявку на кредит?"]
    ) == ("Я ИП, зарегистрирован 7 месяцев назад\nМогу подать заявку на кредит?")


def test_the_intent_is_bounded_keeping_the_opening_and_the_latest() -> None:
    messages = ["Карта заблокирована", *(f"подробность номер {index} слово{index}" for index in range(300))]
    intent = conversation_intent(messages)
    assert len(intent) <= 1000
    assert intent.startswith("Карта заблокирована\n")
    assert intent.endswith("слово299")


@pytest.fixture
async def retriever(faq_entries: list[Entry], embedder: CachingEmbedder) -> AsyncIterator[Retriever]:
    retriever, client = await build_retriever(faq_entries, embedder)
    yield retriever
    await client.close()


async def test_a_card_fraud_ticket_keeps_its_hints_after_chitchat(retriever: Retriever) -> None:
    async def hints(messages: list[str]) -> list[str]:
        return [
            hit.entry.question for hit in await retriever.search(retriever_intent(retriever, messages), 3)
        ]

    before = await hints([FRAUD])
    assert before
    assert await hints([FRAUD, "Алло, вы тут?"]) == before
    assert await hints([FRAUD, "Алло, вы тут?", "ау", "???"]) == before
    # What the last three messages joined searched: the chit-chat alone, other hints.
    chatter = "Алло, вы тут?\nау\n???"
    assert [hit.entry.question for hit in await retriever.search(chatter, 3)] != before


async def test_long_conversations_read_the_opening_and_the_latest(retriever: Retriever) -> None:
    messages = ["Карта заблокирована", *(["ау"] * 100), "я три раза ввела пин неправильно"]
    intent = retriever_intent(retriever, messages)
    assert intent.startswith("Карта заблокирована")
    assert "пин" in intent
    assert len(messages) > MAX_INTENT_MESSAGES


async def test_the_intent_beats_the_last_messages_on_our_conversations(retriever: Retriever) -> None:
    conversations = read_conversations(CONVERSATIONS)
    assert len(conversations) >= 60
    figures = {}
    for strategy in ("last-three", "intent"):
        (overall, *_groups) = await evaluate_conversations(retriever, conversations, strategy)
        assert overall["group"] == "all"
        figures[strategy] = overall
    intent, last_three = figures["intent"], figures["last-three"]
    assert intent["recall_at_1"] >= 0.8, figures
    assert intent["recall_at_3"] >= 0.93, figures
    assert intent["recall_at_1"] >= last_three["recall_at_1"] + 0.1, figures
