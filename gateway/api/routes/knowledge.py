"""The knowledge base behind hints: operators read it, admins edit it (owned by ml)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, status

from gateway.api.deps import AdminOperator, ContextDep, CurrentOperator
from gateway.models import (
    CategoryPublic,
    KnowledgeEntriesPage,
    KnowledgeEntryCreate,
    KnowledgeEntryPublic,
    KnowledgeFacetsPublic,
)
from t1.ml.v1 import hints_service_pb2 as ml

router = APIRouter(prefix="/kb", tags=["knowledge base"])
MAX_QUERY_CHARS = 200


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
    subcategory: Annotated[str | None, Query(max_length=200)] = None,
    q: Annotated[
        str | None,
        Query(
            max_length=MAX_QUERY_CHARS,
            description="words to find in the question, answer and other phrasings; the entries that "
            "share a word with it, most relevant first (empty: every entry, in id order)",
        ),
    ] = None,
) -> KnowledgeEntriesPage:
    response = await context.hints.ListEntries(
        ml.ListEntriesRequest(
            page_token=cursor or "",
            page_size=limit,
            category=category or "",
            subcategory=subcategory or "",
            query=q or "",
        )
    )
    return KnowledgeEntriesPage(
        items=[entry_view(entry) for entry in response.entries],
        next_cursor=response.next_page_token or None,
        total=response.total_size,
    )


@router.get("/categories")
async def list_categories(_operator: CurrentOperator, context: ContextDep) -> list[CategoryPublic]:
    """Every category with its subcategories, sorted, for filters and pickers."""
    response = await context.hints.ListFacets(ml.ListFacetsRequest())
    return [
        CategoryPublic(name=item.name, subcategories=list(item.subcategories)) for item in response.categories
    ]


@router.get("/facets")
async def list_facets(_operator: CurrentOperator, context: ContextDep) -> KnowledgeFacetsPublic:
    """The priorities and audiences the entries use, sorted, for the entry form's pickers."""
    response = await context.hints.ListFacets(ml.ListFacetsRequest())
    return KnowledgeFacetsPublic(priorities=list(response.priorities), audiences=list(response.audiences))


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
