"""ClassifyText's cascade on the real FAQ and the real embedder (the session's, wrapped to count and to
hold its calls): BM25 alone answers clear questions, everything else is embedded, at most
`classify_max_dense` classifications embed at once and the others answer from BM25, hints always embed."""

from __future__ import annotations

import asyncio
import math
from collections.abc import AsyncIterator, Sequence
from dataclasses import replace

import pytest

from services.ml.embedder import CachingEmbedder, Vectors
from services.ml.eval import build_retriever, read_queries
from services.ml.kb import Entry
from services.ml.retriever import Retriever, RetrieverConfig
from tests.ml.conftest import DATA

CARDS = "Продукты - Карты"
OFF_TOPIC = "как приготовить борщ со сметаной"
CLEAR = "Какой кредитный лимит по карте ЧЕРЕПАХА?"
# BM25 finds the loans, but not clearly enough to answer without the embedding.
VAGUE = "Как оформить онлайн кредит?"
FAR = "где купить билеты на поезд до москвы"


class CountingEmbedder:
    """The session's embedder, counting query embeddings; while `held`, query embeddings wait for
    `release` (a slow embedder occupying the dense path)."""

    def __init__(self, inner: CachingEmbedder) -> None:
        self.inner = inner
        self.queries = 0
        self.held = False
        self.waiting = asyncio.Event()
        self.release = asyncio.Event()

    @property
    def name(self) -> str:
        return self.inner.name

    def count_tokens(self, text: str) -> int:
        return self.inner.count_tokens(text)

    async def embed_queries(self, texts: Sequence[str]) -> Vectors:
        self.queries += 1
        if self.held:
            self.waiting.set()
            await self.release.wait()
        return await self.inner.embed_queries(texts)

    async def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return await self.inner.embed_passages(texts)

    async def aclose(self) -> None:
        return None


@pytest.fixture
def counting(embedder: CachingEmbedder) -> CountingEmbedder:
    return CountingEmbedder(embedder)


@pytest.fixture
async def retriever(faq_entries: list[Entry], counting: CountingEmbedder) -> AsyncIterator[Retriever]:
    retriever, client = await build_retriever(faq_entries, counting)
    counting.queries = 0  # indexing embeds the variants as queries
    yield retriever
    await client.close()


async def test_clear_questions_are_answered_without_embedding(
    retriever: Retriever, counting: CountingEmbedder, faq_entries: list[Entry]
) -> None:
    result = await retriever.classify(CLEAR)
    assert (result.category, result.subcategory, result.source) == (
        CARDS,
        "Карты рассрочки - ЧЕРЕПАХА",
        "lexical",
    )
    assert retriever.config.classify_threshold <= result.confidence <= 1.0
    assert counting.queries == 0
    lexical = 0
    for entry in faq_entries[::10]:
        before = counting.queries
        result = await retriever.classify(entry.question)
        if result.source == "lexical":
            lexical += 1
            assert counting.queries == before, entry.question
            assert (result.category, result.subcategory) == (entry.category, entry.subcategory), (
                entry.question
            )
        else:
            assert (result.source, counting.queries) == ("dense", before + 1), entry.question
    assert lexical >= 15, lexical


async def test_off_topic_and_vague_texts_are_embedded(
    retriever: Retriever, counting: CountingEmbedder
) -> None:
    for number, text in enumerate([OFF_TOPIC, "кредит", FAR, VAGUE], start=1):
        result = await retriever.classify(text)
        assert result.source == "dense", text
        assert counting.queries == number
    assert (await retriever.classify(OFF_TOPIC)).category == ""
    assert (await retriever.classify("  👍 ")).source == "none"


async def test_off_topic_texts_never_take_the_lexical_path(retriever: Retriever) -> None:
    for item in read_queries(DATA / "offtopic.jsonl"):
        result = await retriever.classify(item.query)
        assert result.source != "lexical", item.query


async def test_a_saturated_dense_path_answers_from_bm25_at_once(
    retriever: Retriever, counting: CountingEmbedder
) -> None:
    counting.held = True
    holder = asyncio.create_task(retriever.classify(OFF_TOPIC))
    await asyncio.wait_for(counting.waiting.wait(), 10)
    assert retriever.dense_classifications == 1
    # Texts that would be embedded answer from BM25 without waiting: a category when the score passes
    # the lower floor, an empty one with low confidence otherwise.
    vague = await asyncio.wait_for(retriever.classify(VAGUE), 1)
    vote = retriever.lexical_vote(retriever.lexical_text(VAGUE))
    assert vote is not None
    assert vote.score >= retriever.config.classify_shed_min_score
    assert (vague.source, vague.category, vague.confidence) == ("shed", "Продукты - Кредиты", vote.confidence)
    weak = await asyncio.wait_for(retriever.classify(FAR), 1)
    assert (weak.source, weak.category, weak.subcategory) == ("shed", "", "")
    assert weak.confidence <= 0.5
    # Clear questions do not need the slot.
    assert (await asyncio.wait_for(retriever.classify(CLEAR), 1)).source == "lexical"
    assert counting.queries == 1
    # Hints keep the hybrid path (they wait for the embedder like before).
    counting.waiting.clear()
    hints = asyncio.create_task(retriever.search(CLEAR, 3))
    await asyncio.wait_for(counting.waiting.wait(), 10)
    assert counting.queries == 2
    assert not hints.done()
    counting.release.set()
    result = await asyncio.wait_for(holder, 10)
    assert (result.source, result.category) == ("dense", "")
    assert (await asyncio.wait_for(hints, 10))[0].entry.subcategory == "Карты рассрочки - ЧЕРЕПАХА"
    assert retriever.dense_classifications == 0
    counting.held = False
    assert (await retriever.classify(FAR)).source == "dense"


async def test_the_slot_is_freed_when_the_embedder_fails(
    retriever: Retriever, counting: CountingEmbedder
) -> None:
    class Failing(CountingEmbedder):
        async def embed_queries(self, texts: Sequence[str]) -> Vectors:
            raise RuntimeError("embedder down")

    healthy = retriever.embedder
    retriever.embedder = Failing(counting.inner)
    with pytest.raises(RuntimeError, match="embedder down"):
        await retriever.classify(OFF_TOPIC)
    assert retriever.dense_classifications == 0
    retriever.embedder = healthy
    assert (await retriever.classify(OFF_TOPIC)).source == "dense"


async def test_the_configuration_is_honoured(retriever: Retriever, counting: CountingEmbedder) -> None:
    defaults = retriever.config
    # No lexical answers: the hybrid path as before the cascade.
    retriever.config = replace(defaults, classify_lexical_min_score=math.inf)
    result = await retriever.classify(CLEAR)
    assert (result.source, result.category, counting.queries) == ("dense", CARDS, 1)
    # The lexical answer also needs the confidence threshold.
    retriever.config = replace(defaults, classify_threshold=0.999)
    assert (await retriever.classify(CLEAR)).source == "dense"
    # Never embed: everything answers from BM25.
    retriever.config = replace(defaults, classify_max_dense=0)
    shed = await retriever.classify(OFF_TOPIC)
    assert (shed.source, shed.category) == ("shed", "")
    assert (await retriever.classify(CLEAR)).source == "lexical"
    # A higher shedding floor names no category where the default one does.
    assert (await retriever.classify(VAGUE)).category == "Продукты - Кредиты"
    retriever.config = replace(defaults, classify_max_dense=0, classify_shed_min_score=math.inf)
    assert (await retriever.classify(VAGUE)).category == ""
    assert counting.queries == 2
    assert RetrieverConfig().classify_max_dense == 1
