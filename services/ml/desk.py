"""What the HintsService does, without gRPC: keeps MongoDB (the source of truth), the Qdrant vectors and
the in-memory catalogue in step, and answers queries through the retriever.

Every change (upsert, delete, re-sync) runs under one lock: MongoDB first, then the vectors, then the
catalogue. If the vectors could not be written, the next sync (at start, every `sync_interval_s`, or on
ReindexKnowledgeBase) repairs them from MongoDB; the periodic sync also brings in changes made by the
import CLI or another ml instance."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from prometheus_client import Counter

from services.ml.composer import ComposedReply, ReplyComposer
from services.ml.intent import conversation_intent
from services.ml.kb import (
    Entry,
    Facets,
    KnowledgeBase,
    decode_search_token,
    encode_search_token,
    new_entry,
    search_key,
)
from services.ml.kb_import import import_file
from services.ml.retriever import SOURCES, Classification, Hit, Retriever
from services.ml.vectors import SyncReport, VectorIndex
from t1lib.errors import InvalidArgumentError

logger = logging.getLogger(__name__)

DEFAULT_LIMIT = 3
MAX_LIMIT = 20
DEFAULT_PAGE_SIZE = 50
MAX_PAGE_SIZE = 500
MAX_QUERY_CHARS = 1000
MAX_CLASSIFY_BATCH = 256
# A conversation's intent reads its opening and latest messages, each cut: bounded work per request.
MAX_INTENT_MESSAGES = 20
MAX_INTENT_MESSAGE_CHARS = 2000
DEFAULT_REPLY_HINTS = 3
MAX_REPLY_HINTS = 5

CLASSIFICATIONS = Counter(
    "t1_ml_classifications_total",
    "ClassifyText answers, by path: lexical (BM25 alone), dense (embedding), shed (BM25 because the "
    "embedding slots were taken), none (nothing to classify)",
    ["source"],
)
for _source in SOURCES:
    CLASSIFICATIONS.labels(_source)


def retriever_intent(retriever: Retriever, messages: Sequence[str]) -> str:
    """`conversation_intent` with the words weighed by the retriever's knowledge base (the opening and
    the latest MAX_INTENT_MESSAGES - 1 messages, each cut to MAX_INTENT_MESSAGE_CHARS)."""
    if len(messages) > MAX_INTENT_MESSAGES:
        messages = [messages[0], *messages[len(messages) - MAX_INTENT_MESSAGES + 1 :]]
    catalog = retriever.catalog
    return conversation_intent(
        [message[:MAX_INTENT_MESSAGE_CHARS] for message in messages],
        lambda text: catalog.bm25.weight(retriever.lexical_text(text)),
        catalog.max_idf,
    )


@dataclass(frozen=True)
class EntriesPage:
    entries: list[Entry]
    next_page_token: str
    total: int


class HintsDesk:
    def __init__(
        self,
        knowledge_base: KnowledgeBase,
        index: VectorIndex,
        retriever: Retriever,
        composer: ReplyComposer,
    ) -> None:
        self.knowledge_base = knowledge_base
        self.index = index
        self.retriever = retriever
        self.composer = composer
        self._lock = asyncio.Lock()
        self._hashes: dict[str, str] = {}
        self._revision = ""  # the base's revision this instance last synced from

    async def start(self, import_path: str | None = None, variants_path: str | None = None) -> SyncReport:
        """Prepare the stores, import `import_path` (with the variants of `variants_path`) into an empty
        knowledge base, sync the index."""
        await self.knowledge_base.create_indexes()
        await self.index.ensure_collection()
        if import_path and await self.knowledge_base.count() == 0:
            if variants_path and not await asyncio.to_thread(Path(variants_path).is_file):
                logger.warning("T1_KB_VARIANTS_FILE %s does not exist; importing without it", variants_path)
                variants_path = None
            if await asyncio.to_thread(Path(import_path).is_file):
                report = await import_file(self.knowledge_base, import_path, variants_path)
                logger.info("imported %s: %d entries", import_path, report.total)
            else:
                logger.warning(
                    "T1_KB_IMPORT_FILE %s does not exist; starting with an empty base", import_path
                )
        return await self.sync()

    async def sync(self) -> SyncReport:
        async with self._lock:
            return await self._sync()

    async def _sync(self) -> SyncReport:
        self._revision = await self.knowledge_base.revision()  # before the read: a later change shows
        entries = await self.knowledge_base.all()
        report = await self.index.sync(entries)
        self._set_entries(entries)
        logger.info(
            "index synced: %d entries, %d embedded, %d removed", report.total, report.embedded, report.removed
        )
        return report

    async def sync_if_changed(self) -> SyncReport | None:
        """Re-sync when MongoDB differs from what this instance indexed (cheap check of content hashes)."""
        if await self.knowledge_base.hashes() == self._hashes:
            return None
        async with self._lock:
            if await self.knowledge_base.hashes() == self._hashes:
                return None
            return await self._sync()

    async def follow(self) -> SyncReport | None:
        """Re-sync when the base's revision moved since this instance last looked: another instance (or
        the import) changed it. Its own changes move it too; then the hashes match and nothing is done."""
        revision = await self.knowledge_base.revision()
        if revision == self._revision:
            return None
        self._revision = revision
        return await self.sync_if_changed()

    def _set_entries(self, entries: list[Entry]) -> None:
        self.retriever.set_entries(entries)
        self._hashes = {entry.id: entry.content_hash() for entry in entries}

    # --- queries -----------------------------------------------------------------------------------

    async def hints(self, query: str, limit: int, category: str) -> list[Hit]:
        limit = DEFAULT_LIMIT if limit <= 0 else min(limit, MAX_LIMIT)
        return await self.retriever.search(query, limit, category.strip())

    def good_hint(self, hits: Sequence[Hit]) -> bool:
        """Whether some hint is likely enough to answer the customer (its probability reaches the
        threshold); GetHints reports `no_good_hint` otherwise."""
        threshold = self.retriever.config.hint_threshold
        return any(hit.probability >= threshold for hit in hits)

    def intent(self, messages: Sequence[str]) -> str:
        """The conversation's intent (services/ml/intent.py) from its customer messages, oldest first:
        the opening and the latest MAX_INTENT_MESSAGES - 1, each cut to MAX_INTENT_MESSAGE_CHARS."""
        return retriever_intent(self.retriever, messages)

    async def compose_reply(
        self, query: str, hints_limit: int, category: str, language: str, customer_name: str = ""
    ) -> ComposedReply:
        # The query is the customer's messages, one a line: search their intent, as GetHints does.
        search = retriever_intent(self.retriever, query.splitlines()) or query
        hits = await self.hints(
            search, DEFAULT_REPLY_HINTS if hints_limit <= 0 else min(hints_limit, MAX_REPLY_HINTS), category
        )
        return await self.composer.compose(query, hits, language, customer_name)

    async def classify(self, text: str) -> Classification:
        result = await self.retriever.classify(text)
        CLASSIFICATIONS.labels(result.source).inc()
        return result

    async def classify_many(self, texts: Sequence[str]) -> list[Classification]:
        """Each text as `classify` would, in order; InvalidArgumentError for more than MAX_CLASSIFY_BATCH."""
        if len(texts) > MAX_CLASSIFY_BATCH:
            raise InvalidArgumentError(
                f"не больше {MAX_CLASSIFY_BATCH} текстов за один вызов, получено {len(texts)}"
            )
        # Concurrently, as separate ClassifyText calls would be: unsure texts share the embedding slot.
        return list(await asyncio.gather(*(self.classify(text) for text in texts)))

    async def list_entries(
        self, page_token: str, page_size: int, category: str, subcategory: str = "", query: str = ""
    ) -> EntriesPage:
        """A page of the base in id order, or, for a query, of the entries matching it, best first."""
        size = DEFAULT_PAGE_SIZE if page_size <= 0 else min(page_size, MAX_PAGE_SIZE)
        category, subcategory, query = category.strip(), subcategory.strip(), query.strip()
        if len(query) > MAX_QUERY_CHARS:
            raise InvalidArgumentError(f"query is longer than {MAX_QUERY_CHARS} characters")
        if not query:
            entries, token, total = await self.knowledge_base.page(page_token, size, category, subcategory)
            return EntriesPage(entries, token, total)
        key = search_key(query, category, subcategory)
        offset = decode_search_token(page_token, key) if page_token else 0
        hits = await self.retriever.find(query, category, subcategory)
        end = offset + size
        token = encode_search_token(end, key) if end < len(hits) else ""
        return EntriesPage([hit.entry for hit in hits[offset:end]], token, len(hits))

    async def facets(self) -> Facets:
        return await self.knowledge_base.facets()

    # --- changes -----------------------------------------------------------------------------------

    async def upsert(self, id_: str, values: Mapping[str, str], variants: Sequence[str] = ()) -> Entry:
        """Create (empty id; ALREADY_EXISTS if the question is there) or replace (NOT_FOUND if absent)."""
        entry = new_entry(values, id_.strip(), variants)
        async with self._lock:
            if id_.strip():
                await self.knowledge_base.replace(entry)
            else:
                await self.knowledge_base.create(entry)
            await self.index.upsert([entry])
            entries = [other for other in self.retriever.catalog.entries if other.id != entry.id] + [entry]
            self._set_entries(entries)
        return entry

    async def delete(self, id_: str) -> None:
        async with self._lock:
            await self.knowledge_base.delete(id_)
            await self.index.delete([id_])
            self._set_entries([entry for entry in self.retriever.catalog.entries if entry.id != id_])

    async def reindex(self) -> SyncReport:
        return await self.sync()
