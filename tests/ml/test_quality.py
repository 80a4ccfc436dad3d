"""Retrieval quality on our own paraphrase set (tests/ml/data/paraphrases.jsonl: 268 customer-style
rewrites of 199 FAQ questions: typos, slang, transliteration, English, emoji, long multi-sentence
messages with greetings and signatures). Floors, not targets: they catch a regression, while
`python -m services.ml.eval` reports the exact numbers. The entries carry our variants
(data/kb/vtb_belarus_faq.variants.jsonl), written from the FAQ alone, not from these paraphrases."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import replace

import pytest

from services.ml.embedder import CachingEmbedder
from services.ml.eval import build_retriever, evaluate, read_queries
from services.ml.kb import Entry
from services.ml.retriever import Retriever
from tests.ml.conftest import DATA


@pytest.fixture
async def retriever(faq_entries: list[Entry], embedder: CachingEmbedder) -> AsyncIterator[Retriever]:
    retriever, client = await build_retriever(faq_entries, embedder)
    yield retriever
    await client.close()


async def test_hybrid_recall_on_our_paraphrases(retriever: Retriever) -> None:
    queries = read_queries(DATA / "paraphrases.jsonl")
    assert len(queries) == 268
    hybrid = await evaluate(retriever, queries, "hybrid", "hybrid")
    assert hybrid["recall_at_3"] >= 0.98, hybrid
    assert hybrid["recall_at_1"] >= 0.94, hybrid
    lexical = await evaluate(retriever, queries, "bm25-only", "lexical")
    assert hybrid["mrr"] > lexical["mrr"], (hybrid, lexical)
    dense = await evaluate(retriever, queries, "dense-only", "dense")
    assert hybrid["mrr"] > dense["mrr"], (hybrid, dense)


async def test_variants_improve_recall(
    retriever: Retriever, faq_entries: list[Entry], embedder: CachingEmbedder
) -> None:
    queries = read_queries(DATA / "paraphrases.jsonl")
    plain, client = await build_retriever([replace(entry, variants=()) for entry in faq_entries], embedder)
    try:
        without = await evaluate(plain, queries, "hybrid", "hybrid")
    finally:
        await client.close()
    with_variants = await evaluate(retriever, queries, "hybrid", "hybrid")
    assert with_variants["recall_at_1"] >= without["recall_at_1"] + 0.02, (with_variants, without)


async def test_off_topic_texts_are_not_classified(retriever: Retriever) -> None:
    offtopic = read_queries(DATA / "offtopic.jsonl")
    classified = [item.query for item in offtopic if (await retriever.classify(item.query)).category]
    assert len(classified) <= 1, classified


async def test_clear_questions_are_classified(retriever: Retriever, faq_entries: list[Entry]) -> None:
    right = 0
    for entry in faq_entries[::10]:
        result = await retriever.classify(entry.question)
        right += (result.category, result.subcategory) == (entry.category, entry.subcategory)
    assert right >= 18
