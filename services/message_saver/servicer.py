"""TicketService over gRPC: requests in, TicketDesk (or SearchIndex) calls, protos out. Domain errors become
status codes in t1lib's interceptor (NotFoundError -> NOT_FOUND, ConflictError -> FAILED_PRECONDITION,
InvalidArgumentError -> INVALID_ARGUMENT, UnavailableError -> UNAVAILABLE)."""

# ruff: noqa: N802 - method names are the RPC names generated from the proto

from __future__ import annotations

from typing import Any

import grpc

from services.message_saver.convert import STATUS_FROM_PROTO, message_proto, ticket_event_proto, ticket_proto
from services.message_saver.desk import TicketDesk
from services.message_saver.search import SearchHit, SearchIndex
from t1.tickets.v1 import ticket_pb2 as pb
from t1.tickets.v1 import ticket_service_pb2 as api
from t1.tickets.v1 import ticket_service_pb2_grpc as api_grpc
from t1lib.errors import InvalidArgumentError, UnavailableError

SERVICE_NAME = api.DESCRIPTOR.services_by_name["TicketService"].full_name

Context = grpc.aio.ServicerContext[Any, Any]


class TicketServicer(api_grpc.TicketServiceServicer):
    def __init__(self, desk: TicketDesk, search: SearchIndex | None = None) -> None:
        self._desk = desk
        self._search = search

    @property
    def desk(self) -> TicketDesk:
        return self._desk

    async def GetTicket(self, request: api.GetTicketRequest, context: Context) -> api.GetTicketResponse:
        return api.GetTicketResponse(ticket=ticket_proto(await self._desk.get(request.ticket_id)))

    async def ListTickets(self, request: api.ListTicketsRequest, context: Context) -> api.ListTicketsResponse:
        tickets, token = await self._desk.list_tickets(request)
        return api.ListTicketsResponse(tickets=tickets, next_page_token=token)

    async def CountTickets(
        self, request: api.CountTicketsRequest, context: Context
    ) -> api.CountTicketsResponse:
        counts = await self._desk.count_tickets(request)
        return api.CountTicketsResponse(
            queue=counts.queue,
            queue_waiting=counts.queue_waiting,
            mine=counts.mine,
            mine_waiting=counts.mine_waiting,
            all_active=counts.all_active,
        )

    async def ListMessages(
        self, request: api.ListMessagesRequest, context: Context
    ) -> api.ListMessagesResponse:
        messages, token = await self._desk.list_messages(request)
        return api.ListMessagesResponse(
            messages=[message_proto(doc) for doc in messages], next_page_token=token
        )

    async def TakeTicket(self, request: api.TakeTicketRequest, context: Context) -> api.TakeTicketResponse:
        ticket = await self._desk.take(request.ticket_id, request.operator_id)
        return api.TakeTicketResponse(ticket=ticket_proto(ticket))

    async def AssignTicket(
        self, request: api.AssignTicketRequest, context: Context
    ) -> api.AssignTicketResponse:
        ticket = await self._desk.assign(request.ticket_id, request.operator_id, request.assigned_by)
        return api.AssignTicketResponse(ticket=ticket_proto(ticket))

    async def CloseTicket(self, request: api.CloseTicketRequest, context: Context) -> api.CloseTicketResponse:
        ticket = await self._desk.close(request.ticket_id, request.operator_id)
        return api.CloseTicketResponse(ticket=ticket_proto(ticket))

    async def AddOperatorMessage(
        self, request: api.AddOperatorMessageRequest, context: Context
    ) -> api.AddOperatorMessageResponse:
        message = await self._desk.add_operator_message(request)
        return api.AddOperatorMessageResponse(message=message_proto(message))

    async def RetryDelivery(
        self, request: api.RetryDeliveryRequest, context: Context
    ) -> api.RetryDeliveryResponse:
        message = await self._desk.retry_delivery(request)
        return api.RetryDeliveryResponse(message=message_proto(message))

    async def AddNote(self, request: api.AddNoteRequest, context: Context) -> api.AddNoteResponse:
        note = await self._desk.add_note(request.ticket_id, request.operator_id, request.text)
        return api.AddNoteResponse(message=message_proto(note))

    async def UpdateTicket(
        self, request: api.UpdateTicketRequest, context: Context
    ) -> api.UpdateTicketResponse:
        return api.UpdateTicketResponse(ticket=ticket_proto(await self._desk.update(request)))

    async def ListTicketEvents(
        self, request: api.ListTicketEventsRequest, context: Context
    ) -> api.ListTicketEventsResponse:
        events = await self._desk.events(request.ticket_id)
        return api.ListTicketEventsResponse(events=[ticket_event_proto(event) for event in events])

    async def SearchTickets(
        self, request: api.SearchTicketsRequest, context: Context
    ) -> api.SearchTicketsResponse:
        if self._search is None:
            raise UnavailableError("поиск по истории выключен (T1_SEARCH_ENABLED=false)")
        status = None
        if request.status != pb.TICKET_STATUS_UNSPECIFIED:
            if request.status not in STATUS_FROM_PROTO:
                raise InvalidArgumentError(f"неизвестный status: {request.status}")
            status = str(STATUS_FROM_PROTO[request.status])
        hits, token = await self._search.search(
            request.query,
            status=status,
            visible_to_operator_id=request.visible_to_operator_id,
            page_token=request.page_token,
            page_size=request.page_size,
        )
        return api.SearchTicketsResponse(hits=[search_hit_proto(hit) for hit in hits], next_page_token=token)


def search_hit_proto(hit: SearchHit) -> api.SearchHit:
    return api.SearchHit(
        ticket=hit.ticket,
        snippet=hit.snippet,
        matched_field=hit.matched_field,
        message_id=hit.message_id,
        score=hit.score,
        highlights=[api.TextRange(start=start, end=end) for start, end in hit.highlights],
    )
