"""«Печатает…»: the console tells the gateway its operator is typing a reply (at most every ~4 s)."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Response, status

from gateway.api.deps import ContextDep, CurrentOperator
from gateway.api.routes.tickets import fetch_ticket
from gateway.domain.access import may_act
from t1.tickets.v1 import ticket_pb2

router = APIRouter(prefix="/tickets", tags=["tickets"])


@router.post(
    "/{ticket_id}/typing",
    status_code=status.HTTP_202_ACCEPTED,
    response_class=Response,
    responses={202: {"description": "the customer is shown «печатает…» for a few seconds, best effort"}},
)
async def operator_typing(ticket_id: str, operator: CurrentOperator, context: ContextDep) -> Response:
    """The operator is typing a reply: the bot shows the customer «печатает…» in Telegram. Only for a
    ticket the operator may reply to (403 otherwise, 409 when closed); a ticket in the queue is not taken.
    Calls more often than every few seconds per ticket publish nothing more."""
    ticket = await fetch_ticket(context, ticket_id)
    if not may_act(operator, ticket):
        raise HTTPException(status.HTTP_403_FORBIDDEN, "this ticket belongs to another operator")
    if ticket.status == ticket_pb2.TICKET_STATUS_CLOSED:
        raise HTTPException(status.HTTP_409_CONFLICT, "ticket is closed")
    if ticket.customer.chat_id:
        await context.typing.publish(ticket_id, ticket.customer.chat_id, operator.operator_id)
    return Response(status_code=status.HTTP_202_ACCEPTED)
