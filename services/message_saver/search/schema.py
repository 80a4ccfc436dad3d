"""The search index's schema and its two kinds of documents: one per ticket (title, customer, tags and the
ticket's snapshot) and one per message (text, text recognised on its photos). Every document carries its
ticket's current status and assignee, so visibility is a filter of the query itself."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import UTC, datetime

import tantivy

ANALYZER = "t1_text"
# Bumped whenever the schema or the analyzer changes: an index of another version is rebuilt.
SCHEMA_VERSION = 1

# Keys and filters (exact terms).
DOC_ID = "doc_id"
KIND = "kind"
TICKET_ID = "ticket_id"
TICKET_KEY = "ticket_key"  # u64 fast field: groups hits by ticket without reading stored documents
MESSAGE_ID = "message_id"
STATUS = "status"
ASSIGNEE = "assignee_id"
# Words.
TITLE = "title"
CUSTOMER = "customer"
TAGS = "tags"
TEXT = "text"
OCR = "ocr"
# Stored only, or fast only.
INTERNAL = "internal"
MOMENT = "moment_ms"
UPDATED = "updated_ms"
SNAPSHOT = "snapshot"
BOOST = "boost"

TICKET_KIND = "ticket"
MESSAGE_KIND = "message"

# A slight preference for recent documents among equally relevant ones (at most +5% of the score),
# which also makes equal scores rare.
RECENCY_WEIGHT = 0.05
RECENCY_FROM_MS = int(datetime(2020, 1, 1, tzinfo=UTC).timestamp() * 1000)
RECENCY_SPAN_MS = 20 * 365 * 86_400_000
LONGEST_TOKEN = 40


def analyzer() -> tantivy.TextAnalyzer:
    """Words split on anything but letters and digits, lowercased, stemmed for Russian, then English
    (each stemmer leaves the other alphabet alone; ё is folded into е by the Russian one)."""
    return (
        tantivy.TextAnalyzerBuilder(tantivy.Tokenizer.simple())
        .filter(tantivy.Filter.remove_long(LONGEST_TOKEN))
        .filter(tantivy.Filter.lowercase())
        .filter(tantivy.Filter.stemmer("russian"))
        .filter(tantivy.Filter.stemmer("english"))
        .build()
    )


def build_schema() -> tantivy.Schema:
    builder = tantivy.SchemaBuilder()
    for name in (DOC_ID, KIND, TICKET_ID, STATUS, ASSIGNEE):
        builder.add_text_field(name, stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_text_field(MESSAGE_ID, stored=True, tokenizer_name="raw", index_option="basic")
    builder.add_unsigned_field(TICKET_KEY, fast=True)
    for name in (TITLE, CUSTOMER, TAGS, TEXT, OCR):
        builder.add_text_field(name, stored=True, tokenizer_name=ANALYZER, index_option="freq")
    builder.add_boolean_field(INTERNAL, stored=True)
    builder.add_integer_field(MOMENT, stored=True)
    builder.add_integer_field(UPDATED, stored=True)
    builder.add_bytes_field(SNAPSHOT, stored=True)
    builder.add_float_field(BOOST, fast=True)
    return builder.build()


def ticket_doc_id(ticket_id: str) -> str:
    return f"t:{ticket_id}"


def message_doc_id(message_id: str) -> str:
    return f"m:{message_id}"


def ticket_key(ticket_id: str) -> int:
    """A 64-bit key of a ticket id (a collision, about 1 in 10^9 at 100k tickets, would only merge two
    tickets' hits into one)."""
    return int.from_bytes(hashlib.blake2b(ticket_id.encode(), digest_size=8).digest(), "big")


def recency_boost(moment_ms: int) -> float:
    share = min(max((moment_ms - RECENCY_FROM_MS) / RECENCY_SPAN_MS, 0.0), 1.0)
    return 1.0 + RECENCY_WEIGHT * share


@dataclass(frozen=True)
class Visibility:
    """What decides who sees a ticket; copied onto every document of the ticket."""

    status: str
    assignee_id: str


@dataclass(frozen=True)
class TicketEntry:
    ticket_id: str
    visibility: Visibility
    title: str
    customer: str
    tags: str
    moment_ms: int  # the ticket's last activity
    updated_ms: int  # the snapshot's updated_at: older snapshots never replace newer ones
    snapshot: bytes  # t1.tickets.v1.Ticket, serialized

    def document(self) -> tantivy.Document:
        doc = _base(ticket_doc_id(self.ticket_id), TICKET_KIND, self.ticket_id, self.visibility)
        for name, value in ((TITLE, self.title), (CUSTOMER, self.customer), (TAGS, self.tags)):
            if value:
                doc.add_text(name, value)
        doc.add_integer(MOMENT, self.moment_ms)
        doc.add_integer(UPDATED, self.updated_ms)
        doc.add_bytes(SNAPSHOT, self.snapshot)
        doc.add_float(BOOST, recency_boost(self.moment_ms))
        return doc


@dataclass(frozen=True)
class MessageEntry:
    message_id: str
    ticket_id: str
    visibility: Visibility
    text: str
    ocr: str
    internal: bool
    moment_ms: int  # when it was written

    def document(self) -> tantivy.Document:
        doc = _base(message_doc_id(self.message_id), MESSAGE_KIND, self.ticket_id, self.visibility)
        doc.add_text(MESSAGE_ID, self.message_id)
        for name, value in ((TEXT, self.text), (OCR, self.ocr)):
            if value:
                doc.add_text(name, value)
        doc.add_boolean(INTERNAL, self.internal)
        doc.add_integer(MOMENT, self.moment_ms)
        doc.add_float(BOOST, recency_boost(self.moment_ms))
        return doc

    def seen_as(self, visibility: Visibility) -> MessageEntry:
        return replace(self, visibility=visibility)

    @classmethod
    def from_document(cls, doc: tantivy.Document) -> MessageEntry:
        return cls(
            message_id=text_of(doc, MESSAGE_ID),
            ticket_id=text_of(doc, TICKET_ID),
            visibility=Visibility(text_of(doc, STATUS), text_of(doc, ASSIGNEE)),
            text=text_of(doc, TEXT),
            ocr=text_of(doc, OCR),
            internal=bool(doc.get_first(INTERNAL)),
            moment_ms=int(doc.get_first(MOMENT) or 0),
        )


def ticket_docs(
    schema: tantivy.Schema, searcher: tantivy.Searcher, ticket_ids: Iterable[str]
) -> list[tantivy.Document]:
    """The ticket documents of these tickets (those the index has)."""
    doc_ids = sorted({ticket_doc_id(ticket_id) for ticket_id in ticket_ids})
    if not doc_ids:
        return []
    query = tantivy.Query.term_set_query(schema, DOC_ID, doc_ids)
    return [searcher.doc(address) for _, address in searcher.search(query, limit=len(doc_ids)).hits]


def visibility_of(doc: tantivy.Document) -> Visibility:
    return Visibility(text_of(doc, STATUS), text_of(doc, ASSIGNEE))


def _base(doc_id: str, kind: str, ticket_id: str, visibility: Visibility) -> tantivy.Document:
    doc = tantivy.Document()
    doc.add_text(DOC_ID, doc_id)
    doc.add_text(KIND, kind)
    doc.add_text(TICKET_ID, ticket_id)
    doc.add_unsigned(TICKET_KEY, ticket_key(ticket_id))
    doc.add_text(STATUS, visibility.status)
    doc.add_text(ASSIGNEE, visibility.assignee_id)
    return doc


def text_of(doc: tantivy.Document, name: str) -> str:
    """A stored text field; a field with several values (never written here) reads as one text."""
    return " ".join(str(value) for value in doc.get_all(name))
