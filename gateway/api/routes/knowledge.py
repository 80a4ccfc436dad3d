"""The knowledge base behind hints: operators read it, admins edit it (owned by ml)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from gateway.api.deps import AdminOperator, ContextDep, CurrentOperator
from gateway.models import CategoryPublic, KnowledgeEntriesPage, KnowledgeEntryCreate, KnowledgeEntryPublic
from t1.ml.v1 import hints_service_pb2 as ml

router = APIRouter(prefix="/kb", tags=["knowledge base"])
MAX_PAGES = 20


def entry_view(entry: ml.KnowledgeEntry) -> KnowledgeEntryPublic:
    return KnowledgeEntryPublic(
        id=entry.id,
        category=entry.category,
        subcategory=entry.subcategory,
        question=entry.question,
        answer=entry.answer,
        priority=entry.priority,
        audience=entry.audience,
        variants=list(entry.variants),
    )


@router.get("/entries")
async def list_entries(
    _operator: CurrentOperator,
    context: ContextDep,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    category: Annotated[str | None, Query(max_length=200)] = None,
) -> KnowledgeEntriesPage:
    response = await context.hints.ListEntries(
        ml.ListEntriesRequest(page_token=cursor or "", page_size=limit, category=category or "")
    )
    return KnowledgeEntriesPage(
        items=[entry_view(entry) for entry in response.entries], next_cursor=response.next_page_token or None
    )


@router.get("/categories")
async def list_categories(_operator: CurrentOperator, context: ContextDep) -> list[CategoryPublic]:
    """Every category with its subcategories, sorted, for filters and pickers."""
    found: dict[str, set[str]] = {}
    token = ""
    for _page in range(MAX_PAGES):
        response = await context.hints.ListEntries(ml.ListEntriesRequest(page_token=token, page_size=500))
        for entry in response.entries:
            subcategories = found.setdefault(entry.category, set())
            if entry.subcategory:
                subcategories.add(entry.subcategory)
        token = response.next_page_token
        if not token:
            break
    return [CategoryPublic(name=name, subcategories=sorted(subs)) for name, subs in sorted(found.items())]


@router.post("/entries", status_code=status.HTTP_201_CREATED)
async def create_entry(
    body: KnowledgeEntryCreate, _admin: AdminOperator, context: ContextDep
) -> KnowledgeEntryPublic:
    response = await context.hints.UpsertEntry(
        ml.UpsertEntryRequest(entry=ml.KnowledgeEntry(**body.model_dump()))
    )
    return entry_view(response.entry)


@router.put("/entries/{entry_id}")
async def replace_entry(
    entry_id: str, body: KnowledgeEntryCreate, _admin: AdminOperator, context: ContextDep
) -> KnowledgeEntryPublic:
    entry = ml.KnowledgeEntry(id=entry_id, **body.model_dump())
    response = await context.hints.UpsertEntry(ml.UpsertEntryRequest(entry=entry))
    return entry_view(response.entry)


@router.delete("/entries/{entry_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_entry(entry_id: str, _admin: AdminOperator, context: ContextDep) -> None:
    await context.hints.DeleteEntry(ml.DeleteEntryRequest(entry_id=entry_id))
