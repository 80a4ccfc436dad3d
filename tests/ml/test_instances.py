"""Two ml instances over one knowledge base: an admin's edit through one is served by the other within a
second, and a starting instance never drops a Qdrant collection another may be serving from."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import numpy as np
import pytest

from services.ml.embedder import CachingEmbedder, Vectors
from services.ml.vectors import VectorIndex
from t1.ml.v1 import hints_service_pb2 as api
from tests.ml.conftest import Harness
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

FOLLOW_S = 0.25


async def test_an_edit_through_one_instance_is_served_by_the_other_within_a_second(
    harness: Harness, tmp_path: Path
) -> None:
    # Each keeps its own vectors (Qdrant local mode locks its folder), as `make up SCALE=2` runs them.
    first = await harness.start_app(qdrant_path=str(tmp_path / "qdrant-a"), ml_follow_interval_s=FOLLOW_S)
    second = await harness.start_app(qdrant_path=str(tmp_path / "qdrant-b"), ml_follow_interval_s=FOLLOW_S)
    editor, reader = harness.stub(first), harness.stub(second)
    question = "Какая ставка по вкладу Созвездие Ориона?"

    async def top_hint() -> str:
        hints = (
            await reader.GetHints(api.GetHintsRequest(query="ставка по вкладу Созвездие", limit=1))
        ).hints
        return hints[0].question if hints else ""

    assert await top_hint() == ""
    entry = api.KnowledgeEntry(
        category="Вклады", subcategory="Созвездие", question=question, answer="Ставка 11% годовых."
    )
    stored = (await editor.UpsertEntry(api.UpsertEntryRequest(entry=entry))).entry
    edited_at = time.monotonic()
    await eventually(lambda: _is(top_hint, question), timeout_s=5, what="the new entry")
    assert time.monotonic() - edited_at < 1.0

    changed = api.KnowledgeEntry(
        id=stored.id, category="Вклады", subcategory="Созвездие", question=question, answer="Ставка 9%."
    )
    await editor.UpsertEntry(api.UpsertEntryRequest(entry=changed))
    edited_at = time.monotonic()

    async def answer() -> str:
        hints = (await reader.GetHints(api.GetHintsRequest(query="ставка Созвездие Ориона", limit=1))).hints
        return hints[0].answer if hints else ""

    await eventually(lambda: _is(answer, "Ставка 9%."), timeout_s=5, what="the edit")
    assert time.monotonic() - edited_at < 1.0

    await editor.DeleteEntry(api.DeleteEntryRequest(entry_id=stored.id))
    edited_at = time.monotonic()
    await eventually(lambda: _is(top_hint, ""), timeout_s=5, what="the deletion")
    assert time.monotonic() - edited_at < 1.0


async def _is(read: Callable[[], Awaitable[str]], expected: str) -> bool:
    return await read() == expected


class NarrowEmbedder:
    """Another model: the shared embedder's vectors cut to 64 dimensions."""

    def __init__(self, inner: CachingEmbedder) -> None:
        self._inner = inner

    @property
    def name(self) -> str:
        return self._inner.name + "-64"

    async def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return _unit(np.asarray(await self._inner.embed_queries(texts))[:, :64])

    async def embed_passages(self, texts: Sequence[str]) -> Vectors:
        return _unit(np.asarray(await self._inner.embed_passages(texts))[:, :64])

    async def aclose(self) -> None:
        return None


def _unit(vectors: np.ndarray) -> Vectors:
    unit: Vectors = (vectors / np.linalg.norm(vectors, axis=1, keepdims=True)).astype(np.float32)
    return unit


async def test_a_starting_instance_never_drops_the_collection_others_serve_from(harness: Harness) -> None:
    app = await harness.start_app()
    entry = api.KnowledgeEntry(
        category="Карты", subcategory="MORE", question="Лимит по карте MORE?", answer="5000"
    )
    await harness.stub(app).UpsertEntry(api.UpsertEntryRequest(entry=entry))
    collection = app.desk.index.collection
    assert await app.desk.index.count() == 1

    # An instance with another embedder starts against the same Qdrant.
    other = VectorIndex(app.qdrant, harness.settings.ml_qdrant_collection, NarrowEmbedder(harness.embedder))
    await other.ensure_collection()
    assert other.collection != collection
    assert await app.qdrant.collection_exists(collection)
    assert await app.desk.index.count() == 1  # the first instance's vectors are all still there
    hints = await app.desk.hints("лимит MORE", 1, "")
    assert [hit.entry.question for hit in hints] == ["Лимит по карте MORE?"]

    # A third start with the first embedder finds the first collection fitting and keeps it.
    again = VectorIndex(app.qdrant, harness.settings.ml_qdrant_collection, harness.embedder)
    await again.ensure_collection()
    assert again.collection == collection
    assert await app.desk.index.count() == 1
