"""The knowledge base's search (Retriever.find) on the real FAQ (201 entries) and the real embedder: the
entries sharing a word with the query, most relevant first, whatever the word's form, case, ё/е or
script of a product name; the category and subcategory filters. The paraphrases are ours, written for
this test (not from the dev set)."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from services.ml.embedder import CachingEmbedder
from services.ml.eval import build_retriever
from services.ml.kb import Entry
from services.ml.retriever import Hit, Retriever
from services.ml.text import tokens

CARDS = "Продукты - Карты"
DEPOSITS = "Продукты - Вклады"
MORE = "Дебетовые карты - MORE"
MORE_LIMITS = "Какие лимиты по карте MORE?"


@pytest.fixture
async def retriever(faq_entries: list[Entry], embedder: CachingEmbedder) -> AsyncIterator[Retriever]:
    retriever, client = await build_retriever(faq_entries, embedder)
    yield retriever
    await client.close()


def questions(hits: list[Hit]) -> list[str]:
    return [hit.entry.question for hit in hits]


async def test_the_question_itself_comes_first_among_many_matches(
    retriever: Retriever, faq_entries: list[Entry]
) -> None:
    assert len(faq_entries) == 201
    hits = await retriever.find(MORE_LIMITS)
    assert hits[0].entry.question == MORE_LIMITS
    # Every card entry shares "карта" with it: many matches, but not the whole base, best first.
    assert 20 < len(hits) < len(faq_entries)
    assert [hit.score for hit in hits] == sorted((hit.score for hit in hits), reverse=True)
    assert len({hit.entry.id for hit in hits}) == len(hits)


@pytest.mark.parametrize(
    "query",
    [
        "какие ЛИМИТЫ по карточке more",  # case, another word form, the brand in lower case
        "лимит по карте Море",  # the brand in Cyrillic
        "limity po karte MORE",  # Russian typed in Latin letters
        "Лимиты MORE",
    ],
)
async def test_word_forms_case_and_product_names(retriever: Retriever, query: str) -> None:
    assert questions(await retriever.find(query))[0] == MORE_LIMITS


@pytest.mark.parametrize(
    ("query", "question"),
    [
        ("со скольки лет дают карту Комплимент", "Какой возраст для оформления карты Комплимент?"),
        ("нужна ли страховка каско при автокредите", "Нужно ли КАСКО для автокредита?"),
        (
            "отключить смс-оповещения по карточке самостоятельно",
            "Как отключить SMS-информирование по карте без обращения в банк?",
        ),
        ("ставка по вкладу «СуперСемь»", "Какая ставка по СуперСемь?"),
        ("получить карточку по почте", "Можно ли получить карточку почтой?"),
        ("снятие наличных с портмоне", "Можно ли снимать наличные с Портмоне?"),
        # ё in the query, е in the entry.
        (
            "плата за зачисление кредита на текущий счёт",
            "Взимается ли плата за зачисление кредитных средств на текущий счет клиента либо по "
            "реквизитам, указанным клиентом?",
        ),
    ],
)
async def test_paraphrases_find_their_entry_first(retriever: Retriever, query: str, question: str) -> None:
    assert questions(await retriever.find(query))[0] == question


async def test_category_and_subcategory_filters(retriever: Retriever) -> None:
    cards = await retriever.find(MORE_LIMITS, CARDS)
    assert cards[0].entry.question == MORE_LIMITS
    assert {hit.entry.category for hit in cards} == {CARDS}
    everything = await retriever.find(MORE_LIMITS)
    assert len(cards) < len(everything)

    more = await retriever.find("лимиты", CARDS, MORE)
    assert questions(more) == [MORE_LIMITS]
    more_any_category = await retriever.find("карта", "", MORE)
    assert {hit.entry.subcategory for hit in more_any_category} == {MORE}
    assert MORE_LIMITS in questions(more_any_category)

    deposits = await retriever.find(MORE_LIMITS, DEPOSITS)
    assert deposits
    assert {hit.entry.category for hit in deposits} == {DEPOSITS}
    assert await retriever.find(MORE_LIMITS, "Нет такой категории") == []


async def test_only_entries_sharing_a_word_are_found(retriever: Retriever) -> None:
    assert await retriever.find("ксилофон") == []
    assert await retriever.find("как и что") == []  # stop words only
    hits = await retriever.find("Портмоне")
    assert hits
    for hit in hits:
        entry = hit.entry
        text = " ".join((entry.subcategory, entry.question, entry.answer, *entry.variants))
        assert "портмон" in tokens(text), entry.question


async def test_lexical_mode_needs_no_embedding(retriever: Retriever) -> None:
    hits = await retriever.find(MORE_LIMITS, mode="lexical")
    assert hits[0].entry.question == MORE_LIMITS
    assert all(hit.dense == 0.0 for hit in hits)
