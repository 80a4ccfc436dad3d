"""Who may see and act on a ticket. Operators see the queue and their own tickets; admins see everything."""

from __future__ import annotations

from t1.tickets.v1 import ticket_pb2
from t1lib.auth import Principal


def may_see(principal: Principal, ticket: ticket_pb2.Ticket) -> bool:
    if principal.is_admin:
        return True
    if ticket.status == ticket_pb2.TICKET_STATUS_OPEN:
        return True
    return ticket.assignee_id == principal.operator_id


def may_see_traces(principal: Principal) -> bool:
    """Trace ids (and the trace backend's link) name the system's inner workings: admins only."""
    return principal.is_admin


def may_act(principal: Principal, ticket: ticket_pb2.Ticket) -> bool:
    """Reply, close, annotate or edit: the assignee or an admin. Open tickets are taken on first reply."""
    if principal.is_admin:
        return True
    if ticket.status == ticket_pb2.TICKET_STATUS_OPEN:
        return True
    return ticket.assignee_id == principal.operator_id
