"""Canned replies (reply templates) of the console, owned by the gateway (MongoDB `reply_templates`).

Admins write them; operators insert them into the reply box, where the console fills in the variables
(TEMPLATE_VARIABLES). A desk has tens to hundreds of them, and FerretDB v1 answers anything but an `_id`
equality by scanning the collection, so a listing reads the whole collection at once (at most
MAX_TEMPLATES documents, a few hundred KB) and searches it here."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.asynchronous.collection import AsyncCollection

from t1lib.errors import ConflictError, NotFoundError

Document = dict[str, Any]

MAX_TEMPLATES = 500

# Filled in by the console when a template is inserted (Russian names first, English aliases). A name
# not listed here is left as it is, braces included, so the operator sees it before sending.
TEMPLATE_VARIABLES: dict[str, str] = {
    "{имя}": "the customer's first name (alias {name})",
    "{оператор}": "the operator's display name (alias {operator})",
    "{тикет}": "the ticket's short reference, e.g. #1a2b3c4d (alias {ticket})",
}


@dataclass(frozen=True)
class ReplyTemplate:
    id: str
    title: str
    text: str
    category: str
    created_at: datetime
    updated_at: datetime
    updated_by: str


def template_of(document: Document) -> ReplyTemplate:
    return ReplyTemplate(
        id=document["_id"],
        title=document["title"],
        text=document["text"],
        category=document.get("category", ""),
        created_at=document["created_at"],
        updated_at=document.get("updated_at") or document["created_at"],
        updated_by=document.get("updated_by", ""),
    )


def stored_now() -> datetime:
    """Now, to the millisecond: what MongoDB keeps, so an answer and a later read agree."""
    now = datetime.now(UTC)
    return now.replace(microsecond=now.microsecond // 1000 * 1000)


def folded(text: str) -> str:
    """Text compared without case and with ё as е, the way people type a search."""
    return text.casefold().replace("ё", "е")


def search(templates: list[ReplyTemplate], query: str = "", category: str = "") -> list[ReplyTemplate]:
    """The templates of `category` (all when empty) with every word of `query` in their title, text or
    category, sorted by title."""
    words = folded(query).split()
    wanted_category = folded(category.strip())
    found = []
    for template in templates:
        if wanted_category and folded(template.category) != wanted_category:
            continue
        haystack = folded(f"{template.title}\n{template.category}\n{template.text}")
        if all(word in haystack for word in words):
            found.append(template)
    return sorted(found, key=lambda template: (folded(template.title), template.id))


class TemplateRepository:
    def __init__(self, client: AsyncMongoClient[Document], database: str) -> None:
        self._templates: AsyncCollection[Document] = client[database]["reply_templates"]

    async def list(self) -> list[ReplyTemplate]:
        cursor = self._templates.find({}).limit(MAX_TEMPLATES)
        return [template_of(document) async for document in cursor]

    async def create(self, title: str, text: str, category: str, author: str) -> ReplyTemplate:
        # Two admins adding the last ones at the same moment may pass the cap together: it bounds the
        # listing's cost, it is not a quota.
        if await self._templates.count_documents({}) >= MAX_TEMPLATES:
            raise ConflictError(f"a desk keeps at most {MAX_TEMPLATES} templates: delete some first")
        now = stored_now()
        document: Document = {
            "_id": str(uuid.uuid4()),
            "title": title,
            "text": text,
            "category": category,
            "created_at": now,
            "updated_at": now,
            "updated_by": author,
        }
        await self._templates.insert_one(document)
        return template_of(document)

    async def replace(
        self, template_id: str, title: str, text: str, category: str, author: str
    ) -> ReplyTemplate:
        changes = {
            "title": title,
            "text": text,
            "category": category,
            "updated_at": stored_now(),
            "updated_by": author,
        }
        result = await self._templates.update_one({"_id": template_id}, {"$set": changes})
        if result.matched_count == 0:
            raise NotFoundError(f"template {template_id} not found")
        document = await self._templates.find_one({"_id": template_id})
        if document is None:
            raise NotFoundError(f"template {template_id} not found")
        return template_of(document)

    async def delete(self, template_id: str) -> None:
        result = await self._templates.delete_one({"_id": template_id})
        if result.deleted_count == 0:
            raise NotFoundError(f"template {template_id} not found")
