"""The full-text index of ticket history on local disk (tantivy): a projection of message_saver's events,
rebuildable from the stored tickets and messages, searched with visibility applied.

One writer per index (tantivy locks the directory): `index_batch` and `rebuild` take turns and each ends
with a commit, so what a caller was told is indexed is on disk. Blocking work runs in threads."""

from __future__ import annotations

import asyncio
import logging
import shutil
import time
from collections import OrderedDict
from collections.abc import AsyncIterable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy

from services.message_saver import convert, domain
from services.message_saver.search import schema as f
from services.message_saver.search.hits import SearchHit, best_per_ticket, page_hits
from services.message_saver.search.projection import TicketChanges, fold, message_entry, ticket_entry
from services.message_saver.search.query import (
    MAX_WINDOW,
    WINDOW_PER_HIT,
    Cursor,
    filter_query,
    query_terms,
    search_query,
    words_query,
)
from services.message_saver.search.schema import MessageEntry, Visibility
from services.message_saver.search.snapshots import Snapshots
from t1.notifications.v1 import events_pb2 as notifications
from t1lib.errors import InvalidArgumentError

logger = logging.getLogger(__name__)

REBUILD_CHUNK = 2_000
# Tickets whose indexed state is remembered, so a batch reads back only the others' documents.
KNOWN_TICKETS = 50_000


class SearchIndexBusyError(RuntimeError):
    """Another process (or SearchIndex) writes to this directory."""


@dataclass(frozen=True)
class RebuildReport:
    tickets: int
    messages: int
    skipped_messages: int  # not (yet) attached to a ticket
    seconds: float


@dataclass(frozen=True)
class _Indexed:
    visibility: Visibility
    updated_ms: int


class SearchIndex:
    def __init__(self, directory: str | Path, *, heap_bytes: int = 64_000_000, threads: int = 1) -> None:
        """Opens (or creates) the index under `directory`. While `is_empty`, its owner should `rebuild`
        it from the store (a new index, a new schema version, or a first rebuild that never finished)."""
        path = Path(directory) / f"v{f.SCHEMA_VERSION}"
        path.mkdir(parents=True, exist_ok=True)
        _remove_other_versions(path)
        self._schema = f.build_schema()
        try:
            self._index = tantivy.Index(self._schema, path=str(path), reuse=True)
        except ValueError:
            logger.warning("search index at %s is unreadable or of another schema: starting afresh", path)
            shutil.rmtree(path)
            path.mkdir(parents=True)
            self._index = tantivy.Index(self._schema, path=str(path), reuse=True)
        self._analyzer = f.analyzer()
        self._index.register_tokenizer(f.ANALYZER, f.analyzer())
        try:
            self._writer = self._index.writer(heap_size=heap_bytes, num_threads=threads)
        except ValueError as error:  # tantivy's LockBusy: another writer holds the directory
            raise SearchIndexBusyError(
                f"the search index at {path} is open for writing elsewhere (one writer per index): {error}"
            ) from error
        self._write_lock = asyncio.Lock()
        # What this writer (the only one) last indexed per ticket; any failure or rebuild forgets it all.
        self._known: OrderedDict[str, _Indexed] = OrderedDict()
        self._snapshots = Snapshots(self._index)
        self.path = path

    def close(self) -> None:
        """Lets background merges finish and releases the directory lock. Not usable afterwards."""
        self._writer.wait_merging_threads()

    @property
    def num_docs(self) -> int:
        return self._snapshots.current().num_docs

    @property
    def is_empty(self) -> bool:
        return self.num_docs == 0

    # --- writing -----------------------------------------------------------------------------------

    async def index_batch(self, events: Sequence[notifications.WebsocketNotification]) -> None:
        """Adds or replaces the tickets and messages the events carry, then commits. Idempotent."""
        changes = fold(events)
        if not changes:
            return
        async with self._write_lock:
            await asyncio.to_thread(self._apply, changes)

    async def rebuild(
        self, tickets: AsyncIterable[Mapping[str, Any]], messages: AsyncIterable[Mapping[str, Any]]
    ) -> RebuildReport:
        """Replaces the whole index with the stored tickets, then their messages (documents as MongoDB
        holds them). Searches see the old index until the one commit at the end."""
        started = time.perf_counter()
        async with self._write_lock:
            self._known.clear()
            try:
                await asyncio.to_thread(self._writer.delete_all_documents)
                seen: dict[str, Visibility] = {}
                chunk: list[tantivy.Document] = []
                ticket_count = message_count = skipped = 0
                async for doc in tickets:
                    entry = ticket_entry(convert.ticket_proto(doc))
                    seen[entry.ticket_id] = entry.visibility
                    chunk.append(entry.document())
                    ticket_count += 1
                    chunk = await self._flush(chunk)
                async for doc in messages:
                    message = convert.message_proto(doc)
                    seen_as = seen.get(message.ticket_id)
                    if seen_as is None:
                        skipped += 1
                        continue
                    chunk.append(message_entry(message, message.ticket_id, seen_as).document())
                    message_count += 1
                    chunk = await self._flush(chunk)
                await self._flush(chunk, force=True)
                await asyncio.to_thread(self._commit)
            except BaseException:
                await asyncio.to_thread(self._writer.rollback)
                raise
        return RebuildReport(ticket_count, message_count, skipped, time.perf_counter() - started)

    async def _flush(self, chunk: list[tantivy.Document], force: bool = False) -> list[tantivy.Document]:
        if chunk and (force or len(chunk) >= REBUILD_CHUNK):
            await asyncio.to_thread(self._add_all, chunk)
            return []
        return chunk

    def _add_all(self, docs: Iterable[tantivy.Document]) -> None:
        for doc in docs:
            self._writer.add_document(doc)

    def _apply(self, changes: Mapping[str, TicketChanges]) -> None:
        try:
            searcher = self._snapshots.current()
            indexed = {ticket_id: self._known[ticket_id] for ticket_id in changes if ticket_id in self._known}
            indexed.update(self._indexed_tickets(searcher, [key for key in changes if key not in indexed]))
            now_indexed = {
                ticket_id: self._apply_ticket(searcher, ticket_id, change, indexed.get(ticket_id))
                for ticket_id, change in changes.items()
            }
            self._commit()
        except BaseException:
            self._known.clear()
            self._writer.rollback()
            raise
        for ticket_id, state in now_indexed.items():
            self._known[ticket_id] = state
            self._known.move_to_end(ticket_id)
        while len(self._known) > KNOWN_TICKETS:
            self._known.popitem(last=False)

    def _apply_ticket(
        self, searcher: tantivy.Searcher, ticket_id: str, change: TicketChanges, indexed: _Indexed | None
    ) -> _Indexed:
        """Writes the ticket's changes; returns what the index then holds for the ticket."""
        entry = ticket_entry(change.ticket)
        seen_as = entry.visibility
        if indexed is not None and indexed.updated_ms > entry.updated_ms:
            seen_as = indexed.visibility  # a redelivered older event: the index is ahead already
            result = indexed
        else:
            self._replace(f.ticket_doc_id(ticket_id), entry.document())
            result = _Indexed(entry.visibility, entry.updated_ms)
        if indexed is not None and indexed.visibility != seen_as:
            for stored in self._stored_messages(searcher, ticket_id):
                if stored.message_id not in change.messages:
                    self._replace(f.message_doc_id(stored.message_id), stored.seen_as(seen_as).document())
        for message in change.messages.values():
            self._replace(f.message_doc_id(message.id), message_entry(message, ticket_id, seen_as).document())
        return result

    def _replace(self, doc_id: str, doc: tantivy.Document) -> None:
        self._writer.delete_documents_by_term(f.DOC_ID, doc_id)
        self._writer.add_document(doc)

    def _commit(self) -> None:
        self._writer.commit()
        self._index.reload()
        self._snapshots.advance()

    def _indexed_tickets(self, searcher: tantivy.Searcher, ticket_ids: Iterable[str]) -> dict[str, _Indexed]:
        found: dict[str, _Indexed] = {}
        for doc in f.ticket_docs(self._schema, searcher, ticket_ids):
            found[f.text_of(doc, f.TICKET_ID)] = _Indexed(
                f.visibility_of(doc), int(doc.get_first(f.UPDATED) or 0)
            )
        return found

    def _stored_messages(self, searcher: tantivy.Searcher, ticket_id: str) -> list[MessageEntry]:
        query = tantivy.Query.boolean_query(
            [
                (tantivy.Occur.Must, tantivy.Query.term_query(self._schema, f.TICKET_ID, ticket_id)),
                (tantivy.Occur.Must, tantivy.Query.term_query(self._schema, f.KIND, f.MESSAGE_KIND)),
            ]
        )
        limit = searcher.doc_freq(f.TICKET_ID, ticket_id)  # counts deleted documents too: enough
        if limit == 0:
            return []
        hits = searcher.search(query, limit=limit, count=False).hits
        return [MessageEntry.from_document(searcher.doc(address)) for _, address in hits]

    # --- reading -----------------------------------------------------------------------------------

    async def search(
        self,
        query: str,
        *,
        status: str | None = None,
        visible_to_operator_id: str = "",
        page_token: str = "",
        page_size: int = 0,
    ) -> tuple[list[SearchHit], str]:
        """One page of tickets matching `query`, best first, each with the snippet of its best match,
        and the token of the next page ("" after the last). An operator id limits the tickets to
        those the operator sees (domain.visible_to); empty means all (admins)."""
        text = domain.normalize_query(query)
        if not text:
            raise InvalidArgumentError("query пуст: введите слова для поиска")
        if status is not None and status not in set(domain.Status):
            raise InvalidArgumentError(f"неизвестный status: {status}")
        size = domain.page_size(page_size, domain.SEARCH_PAGE)
        cursor = Cursor.decode(page_token) if page_token else None
        return await asyncio.to_thread(self._search, text, status, visible_to_operator_id, cursor, size)

    def _search(
        self, text: str, status: str | None, operator_id: str, cursor: Cursor | None, size: int
    ) -> tuple[list[SearchHit], str]:
        terms = query_terms(self._analyzer, text)
        if not terms:
            return [], ""
        generation, searcher = self._snapshots.get(cursor.generation if cursor else None)
        words = words_query(self._schema, terms)
        query = search_query(words, filter_query(self._schema, status, operator_id))
        window = max(cursor.window if cursor else 0, WINDOW_PER_HIT * (size + 1))
        while True:
            scored = searcher.search(query, limit=window, count=False, weight_by_field=f.BOOST).hits
            complete = len(scored) < window
            keys = searcher.fast_field_values(f.TICKET_KEY, [address for _, address in scored])
            remaining = [item for item in best_per_ticket(scored, keys, complete) if item.after(cursor)]
            if len(remaining) > size or complete or window >= MAX_WINDOW:
                break
            window = min(window * 4, MAX_WINDOW)
        page = remaining[:size]
        token = ""
        if len(remaining) > size:
            token = Cursor(generation, page[-1].score, page[-1].key, window).encode()
        hits = page_hits(self._schema, searcher, self._snapshots.current(), words, page, status, operator_id)
        return hits, token


def _remove_other_versions(path: Path) -> None:
    """Indexes of other schema versions are never read again."""
    for other in path.parent.glob("v*"):
        if other != path and other.is_dir() and other.name[1:].isdigit():
            logger.info("removing search index of another schema version: %s", other)
            shutil.rmtree(other, ignore_errors=True)
