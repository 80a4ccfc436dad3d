"""HintsService over gRPC: requests in, HintsDesk calls, protos out. Domain errors become status codes
in t1lib's interceptor (NotFoundError -> NOT_FOUND, AlreadyExistsError -> ALREADY_EXISTS,
InvalidArgumentError -> INVALID_ARGUMENT)."""

# ruff: noqa: N802 - method names are the RPC names generated from the proto

from __future__ import annotations

from typing import Any

import grpc

from services.ml.composer import Source
from services.ml.desk import HintsDesk
from services.ml.kb import FIELDS, Entry
from services.ml.retriever import Hit
from t1.ml.v1 import hints_service_pb2 as api
from t1.ml.v1 import hints_service_pb2_grpc as api_grpc

SERVICE_NAME = api.DESCRIPTOR.services_by_name["HintsService"].full_name

Context = grpc.aio.ServicerContext[Any, Any]

REPLY_SOURCES: dict[Source, api.ReplySource] = {
    "llm": api.REPLY_SOURCE_LLM,
    "template": api.REPLY_SOURCE_TEMPLATE,
    "none": api.REPLY_SOURCE_NONE,
}


def entry_proto(entry: Entry) -> api.KnowledgeEntry:
    return api.KnowledgeEntry(id=entry.id, **entry.fields(), variants=list(entry.variants))


def hint_proto(hit: Hit) -> api.Hint:
    entry = hit.entry
    return api.Hint(
        entry_id=entry.id,
        question=entry.question,
        answer=entry.answer,
        category=entry.category,
        subcategory=entry.subcategory,
        score=hit.score,
        probability=hit.probability,
    )


class HintsServicer(api_grpc.HintsServiceServicer):
    def __init__(self, desk: HintsDesk) -> None:
        self._desk = desk

    async def GetHints(self, request: api.GetHintsRequest, context: Context) -> api.GetHintsResponse:
        query = self._desk.intent(list(request.messages)) if request.messages else request.query
        hits = await self._desk.hints(query, request.limit, request.category) if query.strip() else []
        return api.GetHintsResponse(
            hints=[hint_proto(hit) for hit in hits], no_good_hint=not self._desk.good_hint(hits), intent=query
        )

    async def ClassifyText(
        self, request: api.ClassifyTextRequest, context: Context
    ) -> api.ClassifyTextResponse:
        result = await self._desk.classify(request.text)
        return api.ClassifyTextResponse(
            category=result.category, subcategory=result.subcategory, confidence=result.confidence
        )

    async def ClassifyTexts(
        self, request: api.ClassifyTextsRequest, context: Context
    ) -> api.ClassifyTextsResponse:
        results = await self._desk.classify_many(list(request.texts))
        return api.ClassifyTextsResponse(
            classifications=[
                api.TextClassification(
                    category=result.category, subcategory=result.subcategory, confidence=result.confidence
                )
                for result in results
            ]
        )

    async def ListEntries(self, request: api.ListEntriesRequest, context: Context) -> api.ListEntriesResponse:
        page = await self._desk.list_entries(
            request.page_token, request.page_size, request.category, request.subcategory, request.query
        )
        return api.ListEntriesResponse(
            entries=[entry_proto(entry) for entry in page.entries],
            next_page_token=page.next_page_token,
            total_size=page.total,
        )

    async def ListFacets(self, request: api.ListFacetsRequest, context: Context) -> api.ListFacetsResponse:
        facets = await self._desk.facets()
        return api.ListFacetsResponse(
            categories=[
                api.CategoryFacet(name=name, subcategories=subcategories)
                for name, subcategories in facets.categories.items()
            ],
            priorities=facets.priorities,
            audiences=facets.audiences,
        )

    async def UpsertEntry(self, request: api.UpsertEntryRequest, context: Context) -> api.UpsertEntryResponse:
        values = {name: str(getattr(request.entry, name)) for name in FIELDS}
        entry = await self._desk.upsert(request.entry.id, values, list(request.entry.variants))
        return api.UpsertEntryResponse(entry=entry_proto(entry))

    async def DeleteEntry(self, request: api.DeleteEntryRequest, context: Context) -> api.DeleteEntryResponse:
        await self._desk.delete(request.entry_id)
        return api.DeleteEntryResponse()

    async def ReindexKnowledgeBase(
        self, request: api.ReindexKnowledgeBaseRequest, context: Context
    ) -> api.ReindexKnowledgeBaseResponse:
        report = await self._desk.reindex()
        return api.ReindexKnowledgeBaseResponse(
            embedded=report.embedded, removed=report.removed, total=report.total
        )

    async def ComposeReply(
        self, request: api.ComposeReplyRequest, context: Context
    ) -> api.ComposeReplyResponse:
        reply = await self._desk.compose_reply(
            request.query, request.hints_limit, request.category, request.language, request.customer_name
        )
        return api.ComposeReplyResponse(
            text=reply.text,
            source=REPLY_SOURCES[reply.source],
            model=reply.model,
            hints=[hint_proto(hit) for hit in reply.hits],
            fallback_reason=reply.fallback_reason,
        )
