"""The knowledge base's vectors in Qdrant: one point per entry (id = entry id), named vectors, and the
entry in the payload (category, subcategory, question, answer, ...).

Vectors of an entry (e5 wants "query: " / "passage: " sides; measured on paraphrase sets, together they
beat any one of them, see services/ml/README.md):
- `sqa`: passage "subcategory: question answer" (what the entry is about, with the answer's words),
- `sq`: passage "subcategory: question",
- `sq_query`: query "subcategory: question" (a customer's question against a question: symmetric),
- `phrasings`: the mean of the query vectors of the entry's variants (other ways customers ask it,
  cleaned up like a query); `sq_query` for an entry without variants.
The search uses one more, `mean` = the weighted sum of those four (PHRASINGS_WEIGHT for `phrasings`,
the rest shared equally) with dot-product distance: its dot product with a unit query vector is the
weighted mean of the four cosines, in one search instead of four.

`index_hash` in the payload digests the embedder's name, the recipe version and the embedded texts, so
a sync re-embeds only entries whose text (or the model) changed."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from qdrant_client import AsyncQdrantClient, models
from qdrant_client.conversions import common_types as types

from services.ml.embedder import Embedder, Vectors
from services.ml.kb import Entry
from services.ml.text import clean_query, formalise

logger = logging.getLogger(__name__)

RECIPE_VERSION = "4"
TEXT_VECTORS = ("sqa", "sq", "sq_query", "phrasings")
# Measured on tests/ml/data/paraphrases.jsonl (the dev set only checked): 0.6 on the variants' centroid
# (1.5 times the three others together) was best among 0.33-0.67.
PHRASINGS_WEIGHT = 0.6
# An entry without variants: (sqa, sq, sq_query). Equal thirds, chosen on both FAQs' tune sets without
# variants (services/ml/README.md); the old fallback (sq_query standing in for the centroid, 0.73 on it)
# was fitted to entries that all had variants.
PLAIN_WEIGHTS = (1 / 3, 1 / 3, 1 / 3)
SEARCH_VECTOR = "mean"
VECTOR_NAMES = (*TEXT_VECTORS, SEARCH_VECTOR)
SCROLL_PAGE = 512
EMBED_BATCH = 64


def titled_question(entry: Entry) -> str:
    return f"{entry.subcategory}: {entry.question}" if entry.subcategory else entry.question


def passage_texts(entry: Entry) -> tuple[str, str, str]:
    """Texts of (sqa, sq, sq_query); the first two go to the passage side, the last to the query side."""
    title = titled_question(entry)
    return f"{title} {entry.answer}", title, title


def phrasing_texts(entry: Entry) -> list[str]:
    """The variants as the retriever sees a query (greetings dropped, colloquial words formalised)."""
    return [text for text in (formalise(clean_query(variant)) for variant in entry.variants) if text]


def search_vector(entry: Entry, sqa: Vectors, sq: Vectors, sq_query: Vectors, phrasings: Vectors) -> Vectors:
    """The weighted sum searched: with variants, PHRASINGS_WEIGHT on their centroid and the rest shared by
    the three others; without, PLAIN_WEIGHTS over (sqa, sq, sq_query)."""
    if phrasing_texts(entry):
        others = (1 - PHRASINGS_WEIGHT) / 3
        result: Vectors = others * (sqa + sq + sq_query) + PHRASINGS_WEIGHT * phrasings
        return result
    a, b, c = PLAIN_WEIGHTS
    plain: Vectors = a * sqa + b * sq + c * sq_query
    return plain


def index_hash(entry: Entry, embedder_name: str) -> str:
    text = "\x1f".join(
        (RECIPE_VERSION, embedder_name, entry.category, *passage_texts(entry), *phrasing_texts(entry))
    )
    return hashlib.sha256(text.encode()).hexdigest()


@dataclass
class SyncReport:
    embedded: int = 0
    removed: int = 0
    total: int = 0


class VectorIndex:
    def __init__(self, client: AsyncQdrantClient, collection: str, embedder: Embedder) -> None:
        self._client = client
        self.collection = collection
        self._embedder = embedder
        self.dim = 0

    async def ensure_collection(self) -> None:
        """Use the collection, creating it when absent. A collection whose vectors do not fit the embedder
        (another model, another instance's) is never dropped: other instances may be serving from it.
        This instance then uses a collection named after its vectors' shape."""
        probe = await self._embedder.embed_queries(["probe"])
        self.dim = int(probe.shape[1])
        if await self._fits_or_create(self.collection):
            return
        shaped = f"{self.collection}-{self._shape()}"
        logger.warning(
            "Qdrant collection %s does not fit the embedder (%d dimensions); using %s",
            self.collection,
            self.dim,
            shaped,
        )
        self.collection = shaped
        if not await self._fits_or_create(shaped):
            raise RuntimeError(f"Qdrant collection {shaped} does not fit the embedder either")

    async def _fits_or_create(self, name: str) -> bool:
        """True when `name` exists (or was just created) with this embedder's vectors."""
        if not await self._client.collection_exists(name):
            try:
                await self._client.create_collection(name, vectors_config=self._vectors_config())
            except Exception:
                if not await self._client.collection_exists(name):
                    raise
                # another instance created it at the same moment: check it like any existing one
        info = await self._client.get_collection(name)
        vectors = info.config.params.vectors
        return (
            isinstance(vectors, dict)
            and set(vectors) == set(VECTOR_NAMES)
            and all(params.size == self.dim for params in vectors.values())
        )

    def _vectors_config(self) -> dict[str, models.VectorParams]:
        return {
            **{
                name: models.VectorParams(size=self.dim, distance=models.Distance.COSINE)
                for name in TEXT_VECTORS
            },
            SEARCH_VECTOR: models.VectorParams(size=self.dim, distance=models.Distance.DOT),
        }

    def _shape(self) -> str:
        shape = f"{self.dim}:{','.join(sorted(VECTOR_NAMES))}"
        return hashlib.sha256(shape.encode()).hexdigest()[:10]

    async def stored_hashes(self) -> dict[str, str]:
        """Point id -> index_hash of every point."""
        hashes: dict[str, str] = {}
        offset: types.PointId | None = None
        while True:
            points, offset = await self._client.scroll(
                self.collection,
                limit=SCROLL_PAGE,
                offset=offset,
                with_payload=["index_hash"],
                with_vectors=False,
            )
            for point in points:
                hashes[str(point.id)] = str((point.payload or {}).get("index_hash", ""))
            if offset is None:
                return hashes

    async def sync(self, entries: Sequence[Entry]) -> SyncReport:
        """Make the collection hold exactly `entries`, embedding only new or changed ones."""
        stored = await self.stored_hashes()
        wanted = {entry.id: entry for entry in entries}
        stale = [entry for entry in entries if stored.get(entry.id) != index_hash(entry, self._embedder.name)]
        gone = [point_id for point_id in stored if point_id not in wanted]
        for start in range(0, len(stale), EMBED_BATCH):
            await self.upsert(stale[start : start + EMBED_BATCH])
        if gone:
            await self.delete(gone)
        return SyncReport(embedded=len(stale), removed=len(gone), total=len(wanted))

    async def upsert(self, entries: Sequence[Entry]) -> None:
        if not entries:
            return
        texts = [passage_texts(entry) for entry in entries]
        sqa, sq = await self._embed_passages(texts)
        sq_query = await self._embedder.embed_queries([t[2] for t in texts])
        phrasings = await self._phrasings(entries, sq_query)
        points = [
            models.PointStruct(
                id=entry.id,
                vector={
                    "sqa": sqa[i].tolist(),
                    "sq": sq[i].tolist(),
                    "sq_query": sq_query[i].tolist(),
                    "phrasings": phrasings[i].tolist(),
                    SEARCH_VECTOR: search_vector(entry, sqa[i], sq[i], sq_query[i], phrasings[i]).tolist(),
                },
                payload={**entry.fields(), "index_hash": index_hash(entry, self._embedder.name)},
            )
            for i, entry in enumerate(entries)
        ]
        await self._client.upsert(self.collection, points=points, wait=True)

    async def _phrasings(self, entries: Sequence[Entry], fallback: Vectors) -> Vectors:
        """Per entry, the mean query vector of its variants (the fallback row when it has none)."""
        texts = [phrasing_texts(entry) for entry in entries]
        flat = [text for group in texts for text in group]
        rows = await self._embedder.embed_queries(flat) if flat else fallback[:0]
        result = np.array(fallback, dtype=np.float32, copy=True)
        start = 0
        for i, group in enumerate(texts):
            if group:
                result[i] = rows[start : start + len(group)].mean(axis=0)
                start += len(group)
        return result

    async def _embed_passages(self, texts: Sequence[tuple[str, str, str]]) -> tuple[Vectors, Vectors]:
        rows = await self._embedder.embed_passages([t[0] for t in texts] + [t[1] for t in texts])
        return rows[: len(texts)], rows[len(texts) :]

    async def delete(self, ids: Sequence[str]) -> None:
        if ids:
            await self._client.delete(
                self.collection, points_selector=models.PointIdsList(points=list(ids)), wait=True
            )

    async def count(self) -> int:
        return int((await self._client.count(self.collection, exact=True)).count)

    async def search(
        self, vector: Vectors, limit: int, category: str = "", ids: Sequence[str] | None = None
    ) -> dict[str, float]:
        """Entry id -> weighted mean cosine of the query with the entry's vectors, for the best `limit`
        (of `category`, and among `ids`, when given)."""
        must: list[models.Condition] = []
        if category:
            must.append(models.FieldCondition(key="category", match=models.MatchValue(value=category)))
        if ids is not None:
            must.append(models.HasIdCondition(has_id=list(ids)))
        condition = models.Filter(must=must) if must else None
        response = await self._client.query_points(
            self.collection,
            query=np.asarray(vector, dtype=np.float32).reshape(-1).tolist(),
            using=SEARCH_VECTOR,
            limit=limit,
            query_filter=condition,
            with_payload=False,
        )
        return {str(point.id): float(point.score) for point in response.points}
