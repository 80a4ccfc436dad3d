"""The knowledge base: question-and-answer entries in MongoDB `kb_entries` (ml owns it; the source of
truth from which the Qdrant vectors are derived).

An entry's id is a UUID5 of its normalised subcategory and question, so re-importing the same row (or
creating the same question again) names the same entry. The subcategory is part of the key because the
source file repeats short questions under different products (e.g. "Какая доходность?" for two deposits).
An admin's edit keeps the id even when it changes the question.

`variants` are other ways customers ask the entry's question (Dialogflow's training phrases, Zendesk's
alternative phrasings): the retriever matches queries against them too. They come from the import (a
variants file or a "Другие формулировки" column) or from the admin API."""

from __future__ import annotations

import base64
import binascii
import hashlib
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal

from pymongo import ASCENDING, UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from services.ml.text import normalise
from t1lib.errors import AlreadyExistsError, InvalidArgumentError, NotFoundError

Doc = dict[str, Any]

COLLECTION = "kb_entries"
# One document, rewritten after every change of the base: ml instances poll it (an _id lookup) to learn
# that another instance or the import changed the base, and re-sync (HintsDesk.follow).
REVISIONS = "kb_revision"
REVISION_ID = "current"
ID_NAMESPACE = uuid.UUID("6f1c3f0e-5a0e-4c38-9d0b-7b3f2d6c1a90")
FIELDS = ("category", "subcategory", "question", "answer", "priority", "audience")
MAX_LENGTHS = {
    "category": 200,
    "subcategory": 200,
    "question": 2000,
    "answer": 20000,
    "priority": 50,
    "audience": 200,
}
REQUIRED = ("category", "question", "answer")
MAX_VARIANTS = 50
MAX_VARIANT_LENGTH = 500


@dataclass(frozen=True)
class Entry:
    id: str
    category: str
    subcategory: str
    question: str
    answer: str
    priority: str = ""
    audience: str = ""
    variants: tuple[str, ...] = ()

    def fields(self) -> dict[str, str]:
        """The text fields (FIELDS), without id and variants."""
        return {name: getattr(self, name) for name in FIELDS}

    def content_hash(self) -> str:
        """Digest of everything an entry says (what re-imports compare)."""
        parts = [getattr(self, name) for name in FIELDS]
        if self.variants:
            parts.append("\x1e".join(self.variants))
        digest = hashlib.sha256("\x1f".join(parts).encode())
        return digest.hexdigest()


def entry_id(subcategory: str, question: str) -> str:
    return str(uuid.uuid5(ID_NAMESPACE, f"{normalise(subcategory)}\n{normalise(question)}"))


def clean_fields(values: Mapping[str, str | None]) -> dict[str, str]:
    """Stripped fields of an entry; InvalidArgumentError names each missing or too long one."""
    cleaned = {name: (values.get(name) or "").strip() for name in FIELDS}
    problems = [f"{name} is empty" for name in REQUIRED if not cleaned[name]]
    problems += [
        f"{name} is longer than {limit} characters"
        for name, limit in MAX_LENGTHS.items()
        if len(cleaned[name]) > limit
    ]
    if problems:
        raise InvalidArgumentError("; ".join(problems))
    return cleaned


def clean_variants(variants: Iterable[str], question: str = "") -> tuple[str, ...]:
    """Stripped, de-duplicated (case-insensitively, and the question itself) variants;
    InvalidArgumentError when there are too many or one is too long."""
    seen = {normalise(question)} if question else set()
    cleaned: list[str] = []
    for variant in variants:
        text = " ".join(str(variant).split())
        key = normalise(text)
        if not text or key in seen:
            continue
        if len(text) > MAX_VARIANT_LENGTH:
            raise InvalidArgumentError(
                f"a variant is longer than {MAX_VARIANT_LENGTH} characters: {text[:40]}…"
            )
        seen.add(key)
        cleaned.append(text)
    if len(cleaned) > MAX_VARIANTS:
        raise InvalidArgumentError(f"more than {MAX_VARIANTS} variants")
    return tuple(cleaned)


def new_entry(values: Mapping[str, str | None], id_: str = "", variants: Iterable[str] = ()) -> Entry:
    cleaned = clean_fields(values)
    return Entry(
        id=id_ or entry_id(cleaned["subcategory"], cleaned["question"]),
        **cleaned,
        variants=clean_variants(variants, cleaned["question"]),
    )


def entry_from_doc(doc: Mapping[str, Any]) -> Entry:
    return Entry(
        id=str(doc["_id"]),
        **{name: str(doc.get(name) or "") for name in FIELDS},
        variants=tuple(str(variant) for variant in doc.get("variants") or ()),
    )


def encode_token(last_id: str) -> str:
    return base64.urlsafe_b64encode(last_id.encode()).decode()


def decode_token(token: str) -> str:
    try:
        value = base64.urlsafe_b64decode(token.encode()).decode()
        uuid.UUID(value)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise InvalidArgumentError("malformed page_token") from error
    return value


# A search's pages are offsets into its ranking; the token names the search it belongs to (a digest of
# the query and filters), so a cursor of another search is refused rather than silently misapplied.


def search_key(query: str, category: str, subcategory: str) -> str:
    return hashlib.sha256(f"{query.strip()}\n{category}\n{subcategory}".encode()).hexdigest()[:16]


def encode_search_token(offset: int, key: str) -> str:
    return base64.urlsafe_b64encode(f"{offset}:{key}".encode()).decode()


def decode_search_token(token: str, key: str) -> int:
    try:
        offset, _, token_key = base64.urlsafe_b64decode(token.encode()).decode().partition(":")
        value = int(offset)
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise InvalidArgumentError("malformed page_token") from error
    if token_key != key or value < 0:
        raise InvalidArgumentError("page_token belongs to another query or filter")
    return value


@dataclass(frozen=True)
class Facets:
    """The distinct values of the entries' fields, sorted: category -> subcategories, priorities,
    audiences (empty values left out)."""

    categories: dict[str, list[str]]
    priorities: list[str]
    audiences: list[str]


Outcome = Literal["created", "updated", "unchanged"]


@dataclass
class ImportReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged


class KnowledgeBase:
    """MongoDB access to `kb_entries`. Documents: _id (entry id), the entry's fields, content_hash,
    source ("import" or "admin"), created_at, updated_at."""

    def __init__(self, database: AsyncDatabase[Doc]) -> None:
        self.entries = database[COLLECTION]
        self._revisions = database[REVISIONS]

    async def revision(self) -> str:
        """Changes with every change of the base (by any instance, or the import)."""
        doc = await self._revisions.find_one({"_id": REVISION_ID})
        return "" if doc is None else str(doc.get("value", ""))

    async def _changed(self) -> None:
        await self._revisions.replace_one(
            {"_id": REVISION_ID}, {"value": uuid.uuid4().hex, "at": datetime.now(UTC)}, upsert=True
        )

    async def create_indexes(self) -> None:
        await self.entries.create_index([("category", ASCENDING), ("_id", ASCENDING)])

    async def count(self) -> int:
        return int(await self.entries.count_documents({}))

    async def get(self, id_: str) -> Entry:
        doc = await self.entries.find_one({"_id": id_})
        if doc is None:
            raise NotFoundError(f"knowledge-base entry {id_} not found")
        return entry_from_doc(doc)

    async def all(self) -> list[Entry]:
        return [entry_from_doc(doc) async for doc in self.entries.find({}).sort("_id", ASCENDING)]

    async def hashes(self) -> dict[str, str]:
        """Entry id -> content hash of every entry (the cheap "did anything change" check)."""
        cursor = self.entries.find({}, {"content_hash": 1})
        return {str(doc["_id"]): str(doc.get("content_hash", "")) async for doc in cursor}

    async def page(
        self, page_token: str, page_size: int, category: str, subcategory: str = ""
    ) -> tuple[list[Entry], str, int]:
        """One page in id order, the cursor of the next one, and how many entries pass the filters."""
        query: Doc = {}
        if category:
            query["category"] = category
        if subcategory:
            query["subcategory"] = subcategory
        total = int(await self.entries.count_documents(query))
        if page_token:
            query["_id"] = {"$gt": decode_token(page_token)}
        cursor = self.entries.find(query).sort("_id", ASCENDING).limit(page_size + 1)
        docs = [doc async for doc in cursor]
        more = len(docs) > page_size
        entries = [entry_from_doc(doc) for doc in docs[:page_size]]
        return entries, encode_token(entries[-1].id) if more and entries else "", total

    async def facets(self) -> Facets:
        fields = {"category": 1, "subcategory": 1, "priority": 1, "audience": 1}
        categories: dict[str, set[str]] = {}
        priorities: set[str] = set()
        audiences: set[str] = set()
        async for doc in self.entries.find({}, fields):
            subcategories = categories.setdefault(str(doc.get("category") or ""), set())
            subcategories.add(str(doc.get("subcategory") or ""))
            priorities.add(str(doc.get("priority") or ""))
            audiences.add(str(doc.get("audience") or ""))
        return Facets(
            categories={name: sorted(subs - {""}) for name, subs in sorted(categories.items()) if name},
            priorities=sorted(priorities - {""}),
            audiences=sorted(audiences - {""}),
        )

    async def create(self, entry: Entry, source: str = "admin") -> Entry:
        if await self.entries.find_one({"_id": entry.id}, {"_id": 1}) is not None:
            raise AlreadyExistsError(f"an entry with this subcategory and question exists: {entry.id}")
        now = datetime.now(UTC)
        await self.entries.insert_one(
            {"_id": entry.id, **self._content(entry), "source": source, "created_at": now, "updated_at": now}
        )
        await self._changed()
        return entry

    async def replace(self, entry: Entry) -> Entry:
        result = await self.entries.update_one(
            {"_id": entry.id}, {"$set": {**self._content(entry), "updated_at": datetime.now(UTC)}}
        )
        if result.matched_count == 0:
            raise NotFoundError(f"knowledge-base entry {entry.id} not found")
        await self._changed()
        return entry

    async def delete(self, id_: str) -> None:
        result = await self.entries.delete_one({"_id": id_})
        if result.deleted_count == 0:
            raise NotFoundError(f"knowledge-base entry {id_} not found")
        await self._changed()

    async def import_entries(self, entries: Iterable[Entry]) -> ImportReport:
        """Create or update `entries` (keyed by id); entries the file does not name are left alone."""
        wanted = list(entries)
        existing = {
            str(doc["_id"]): str(doc.get("content_hash", ""))
            async for doc in self.entries.find(
                {"_id": {"$in": [entry.id for entry in wanted]}}, {"content_hash": 1}
            )
        }
        report = ImportReport()
        now = datetime.now(UTC)
        writes: list[UpdateOne] = []
        for entry in wanted:
            outcome: Outcome
            if entry.id not in existing:
                outcome = "created"
            elif existing[entry.id] != entry.content_hash():
                outcome = "updated"
            else:
                outcome = "unchanged"
            setattr(report, outcome, getattr(report, outcome) + 1)
            if outcome != "unchanged":
                writes.append(
                    UpdateOne(
                        {"_id": entry.id},
                        {
                            "$set": {**self._content(entry), "updated_at": now},
                            "$setOnInsert": {"source": "import", "created_at": now},
                        },
                        upsert=True,
                    )
                )
        if writes:
            await self.entries.bulk_write(writes, ordered=True)
            await self._changed()
        return report

    @staticmethod
    def _content(entry: Entry) -> Doc:
        return {**entry.fields(), "variants": list(entry.variants), "content_hash": entry.content_hash()}


def with_id(entry: Entry, id_: str) -> Entry:
    return replace(entry, id=id_)
