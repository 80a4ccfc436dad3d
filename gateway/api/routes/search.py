"""Full-text search of ticket history: words of titles, customers, messages, photos' text and tags."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from gateway.api.deps import ContextDep, CurrentOperator
from gateway.api.routes.tickets import StatusName
from gateway.models import SearchHitPublic, SearchPage
from t1.tickets.v1 import ticket_pb2
from t1.tickets.v1 import ticket_service_pb2 as pb
from t1lib.views import STATUS_VALUES, ticket_view

router = APIRouter(prefix="/search", tags=["search"])


@router.get("")
async def search_tickets(
    operator: CurrentOperator,
    context: ContextDep,
    q: Annotated[str, Query(min_length=1, max_length=200, description="words to find")],
    status_filter: Annotated[StatusName | None, Query(alias="status")] = None,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 20,
) -> SearchPage:
    """Tickets whose history matches `q`, best first, one hit per ticket with its matching snippet.
    Operators get only the queue and their own tickets; admins get all."""
    request = pb.SearchTicketsRequest(
        query=q,
        status=STATUS_VALUES[status_filter] if status_filter else ticket_pb2.TICKET_STATUS_UNSPECIFIED,
        page_token=cursor or "",
        page_size=limit,
    )
    if not operator.is_admin:
        request.visible_to_operator_id = operator.operator_id
    response = await context.tickets.SearchTickets(request)
    return SearchPage(
        items=[hit_view(hit) for hit in response.hits], next_cursor=response.next_page_token or None
    )


def hit_view(hit: pb.SearchHit) -> SearchHitPublic:
    return SearchHitPublic(
        ticket=ticket_view(hit.ticket),
        snippet=hit.snippet,
        highlights=[(item.start, item.end) for item in hit.highlights],
        matched_field=hit.matched_field,
        message_id=hit.message_id or None,
        score=hit.score,
    )
