"""From scored documents to hits: one per ticket (its best document), ordered for paging, and the
snippet of the field that matched, with highlights in code points."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

import tantivy

from services.message_saver import domain
from services.message_saver.search import schema as f
from services.message_saver.search.projection import visibility
from services.message_saver.search.query import Cursor
from t1.tickets.v1 import ticket_pb2 as pb

SNIPPET_CHARS = 160
# The fields a snippet may come from, by document kind, in order of preference on a tie.
SNIPPET_FIELDS = {f.TICKET_KIND: (f.TITLE, f.TAGS, f.CUSTOMER), f.MESSAGE_KIND: (f.TEXT, f.OCR)}
# Field names as SearchHit.matched_field reports them.
MATCHED_FIELD = {f.TITLE: "title", f.TAGS: "tags", f.CUSTOMER: "customer", f.TEXT: "message", f.OCR: "ocr"}

Range = tuple[int, int]


@dataclass(frozen=True)
class Ranked:
    """A ticket's best-scoring document."""

    score: float
    key: int
    address: tantivy.DocAddress

    def after(self, cursor: Cursor | None) -> bool:
        return cursor is None or (-self.score, self.key) > (-cursor.score, cursor.key)


def best_per_ticket(
    scored: Sequence[tuple[float, tantivy.DocAddress]], keys: Sequence[object], complete: bool
) -> list[Ranked]:
    """Tickets by their best score (then key), from documents sorted by score. Unless `complete`
    (every match was read), a ticket scoring exactly the lowest score read may have an unread document
    with the same score, so only tickets above that score are certain of their place."""
    best: dict[int, Ranked] = {}
    for (score, address), key in zip(scored, keys, strict=True):
        if not isinstance(key, int):
            continue
        found = best.get(key)
        if found is None or score > found.score:
            best[key] = Ranked(score, key, address)
    floor = scored[-1][0] if scored and not complete else None
    ranked = [item for item in best.values() if floor is None or item.score > floor]
    ranked.sort(key=lambda item: (-item.score, item.key))
    return ranked


@dataclass(frozen=True)
class Snippet:
    text: str
    field: str  # the SearchHit.matched_field name
    highlights: tuple[Range, ...]


@dataclass(frozen=True)
class SearchHit:
    ticket: pb.Ticket
    snippet: str
    matched_field: str
    message_id: str
    score: float
    highlights: tuple[Range, ...]


def code_point_ranges(text: str, byte_ranges: Sequence[Range]) -> tuple[Range, ...]:
    """Byte offsets into `text` as UTF-8 -> code point offsets."""
    data = text.encode()

    def point(offset: int) -> int:
        return len(data[:offset].decode(errors="ignore"))

    return tuple((point(start), point(end)) for start, end in byte_ranges if end > start)


def best_snippet(
    doc: tantivy.Document, kind: str, generator: Callable[[str], tantivy.SnippetGenerator]
) -> Snippet:
    """The snippet of the document's field with the most matched words."""
    candidates: list[Snippet] = []
    for name in SNIPPET_FIELDS.get(kind, ()):
        if doc.get_first(name) is None:
            continue
        found = generator(name).snippet_from_doc(doc)
        candidates.append(_excerpt(found, f.text_of(doc, name), MATCHED_FIELD[name]))
    if not candidates:
        return Snippet("", "", ())
    best = max(candidates, key=lambda item: len(item.highlights))  # max keeps the first of equals
    if best.highlights:
        return best
    return Snippet(_opening(doc, kind), best.field, ())


def _excerpt(found: tantivy.Snippet, whole: str, field: str) -> Snippet:
    """The snippet with "…" where it cuts the field's text, highlights shifted to match."""
    fragment = found.fragment()
    ranges = code_point_ranges(fragment, [(item.start, item.end) for item in found.highlighted()])
    if not ranges:
        return Snippet(fragment, field, ())
    cut = found.fragment_range()
    before = "…" if cut.start > 0 else ""
    after = "…" if cut.end < len(whole.encode()) else ""
    shift = len(before)
    shifted = tuple((start + shift, end + shift) for start, end in ranges)
    return Snippet(before + fragment + after, field, shifted)


def _opening(doc: tantivy.Document, kind: str) -> str:
    for name in SNIPPET_FIELDS.get(kind, ()):
        value = doc.get_first(name)
        if value:
            return str(value)[:SNIPPET_CHARS]
    return ""


def page_hits(
    schema: tantivy.Schema,
    searcher: tantivy.Searcher,
    latest: tantivy.Searcher,
    words: tantivy.Query,
    page: Sequence[Ranked],
    status: str | None,
    operator_id: str,
) -> list[SearchHit]:
    """The page's hits (read from `searcher`) with their tickets as `latest` has them, dropping any the
    caller may no longer see."""
    generators: dict[str, tantivy.SnippetGenerator] = {}

    def generator(name: str) -> tantivy.SnippetGenerator:
        if name not in generators:
            generators[name] = tantivy.SnippetGenerator.create(searcher, words, schema, name)
            generators[name].set_max_num_chars(SNIPPET_CHARS)
        return generators[name]

    docs = [searcher.doc(item.address) for item in page]
    ticket_ids = [f.text_of(doc, f.TICKET_ID) for doc in docs]
    now = {f.text_of(doc, f.TICKET_ID): doc for doc in f.ticket_docs(schema, latest, ticket_ids)}
    hits: list[SearchHit] = []
    for item, doc, ticket_id in zip(page, docs, ticket_ids, strict=True):
        current = now.get(ticket_id)
        if current is None:
            continue
        ticket = pb.Ticket.FromString(bytes(current.get_first(f.SNAPSHOT) or b""))
        seen = visibility(ticket)
        if (status and seen.status != status) or not domain.visible_to(
            seen.status, seen.assignee_id, operator_id
        ):
            continue
        snippet = best_snippet(doc, f.text_of(doc, f.KIND), generator)
        hits.append(
            SearchHit(
                ticket=ticket,
                snippet=snippet.text,
                matched_field=snippet.field,
                message_id=f.text_of(doc, f.MESSAGE_ID),
                score=item.score,
                highlights=snippet.highlights,
            )
        )
    return hits
