"""Start-up sync of the Qdrant index from MongoDB: a restart embeds only what changed while it was down,
and a running instance notices changes made behind its back (import CLI, another instance)."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pytest

from services.ml.embedder import CachingEmbedder, Vectors
from services.ml.kb import new_entry
from t1.ml.v1 import hints_service_pb2 as api
from tests.ml.conftest import Harness
from tests.support.knowledge import FAQ

pytestmark = pytest.mark.integration


class CountingEmbedder:
    """Counts the passages it is asked to embed (the shared embedder does the work)."""

    def __init__(self, inner: CachingEmbedder) -> None:
        self._inner = inner
        self.passages = 0

    @property
    def name(self) -> str:
        return self._inner.name

    async def embed_queries(self, texts: Sequence[str]) -> Vectors:
        return await self._inner.embed_queries(texts)

    async def embed_passages(self, texts: Sequence[str]) -> Vectors:
        self.passages += len(texts)
        return await self._inner.embed_passages(texts)

    async def aclose(self) -> None:
        return None


async def test_restart_embeds_only_what_changed(harness: Harness) -> None:
    counting = CountingEmbedder(harness.embedder)
    harness.embedder = counting  # type: ignore[assignment]
    first = await harness.start_app(kb_import_file=str(FAQ))
    assert counting.passages == 2 * 201  # two passage-side vectors per entry (the third is query-side)
    assert await first.desk.index.count() == 201
    await harness.stop_app(first)

    knowledge_base = harness.knowledge_base
    entries = await knowledge_base.all()
    await knowledge_base.delete(entries[0].id)
    changed = entries[1]
    await knowledge_base.replace(new_entry({**changed.fields(), "answer": "Новый ответ."}, changed.id))
    added = new_entry(
        {
            "category": "Новые клиенты",
            "subcategory": "Первые шаги",
            "question": "Как получить кэшбэк за первую покупку?",
            "answer": "Кэшбэк начисляется.",
        }
    )
    await knowledge_base.create(added)

    counting.passages = 0
    second = await harness.start_app(kb_import_file=str(FAQ))  # not empty: no import
    assert counting.passages == 2 * 2
    assert await second.desk.index.count() == 201
    assert await knowledge_base.count() == 201
    stub = harness.stub(second)
    hints = (await stub.GetHints(api.GetHintsRequest(query="кэшбэк за первую покупку", limit=1))).hints
    assert hints[0].entry_id == added.id
    listed = (await stub.ListEntries(api.ListEntriesRequest(page_size=500))).entries
    assert entries[0].id not in {entry.id for entry in listed}


async def test_a_running_instance_picks_up_changes_made_elsewhere(harness: Harness) -> None:
    app = await harness.start_app()
    assert await app.desk.sync_if_changed() is None
    added = new_entry(
        {
            "category": "Вклады",
            "subcategory": "Вклад Звезда",
            "question": "Какая ставка по вкладу Звезда?",
            "answer": "Ставка 12% годовых.",
        }
    )
    await harness.knowledge_base.create(added)
    report = await app.desk.sync_if_changed()
    assert report is not None
    assert (report.embedded, report.removed, report.total) == (1, 0, 1)
    hits = await app.desk.hints("ставка звезда", 3, "")
    assert [hit.entry.id for hit in hits] == [added.id]
    assert await app.desk.sync_if_changed() is None


async def test_an_empty_base_without_import_file_starts_empty(harness: Harness) -> None:
    app = await harness.start_app(kb_import_file=str(FAQ.with_name("missing.xlsx")))
    assert await app.desk.index.count() == 0
    assert await app.desk.hints("кредит", 3, "") == []
    classification = await app.desk.classify("кредит")
    assert (classification.category, classification.confidence) == ("", 0.0)


async def test_vectors_are_unit_length(harness: Harness) -> None:
    rows = await harness.embedder.embed_passages(["Привет", "Как оформить кредит?"])
    assert rows.shape == (2, 384)
    assert np.allclose(np.linalg.norm(rows, axis=1), 1.0, atol=1e-3)
