"""Read markers: how far each operator has read each ticket, kept so unread tickets stay marked across
reloads, tabs and devices (the console's dots, tab title count).

Redis hash `t1:read:<operator id>`: ticket id -> the time (ms, message_saver's clock) of the last customer
message the operator has seen. A marker only moves forward (two tabs may report out of order), and an
operator's markers expire after 90 days without a read."""

from __future__ import annotations

from collections.abc import Sequence

import redis.asyncio as redis_async

from t1.tickets.v1 import ticket_pb2

MARKER_TTL_S = 90 * 24 * 3600
_PREFIX = "t1:read:"
# KEYS[1]: the operator's hash; ARGV: ticket id, ms, ttl. Keeps the later of the stored and the new marker.
_MARK = """
local old = redis.call('HGET', KEYS[1], ARGV[1])
if not old or tonumber(old) < tonumber(ARGV[2]) then
  redis.call('HSET', KEYS[1], ARGV[1], ARGV[2])
end
redis.call('EXPIRE', KEYS[1], tonumber(ARGV[3]))
return 1
"""


def last_customer_message_ms(ticket: ticket_pb2.Ticket) -> int:
    if not ticket.HasField("last_customer_message_at"):
        return 0
    return int(ticket.last_customer_message_at.ToMilliseconds())


def is_unread(ticket: ticket_pb2.Ticket, read_ms: int) -> bool:
    """The one rule: a ticket not closed whose customer wrote after what the operator has seen."""
    if ticket.status == ticket_pb2.TICKET_STATUS_CLOSED:
        return False
    return last_customer_message_ms(ticket) > read_ms


class ReadMarkers:
    def __init__(self, client: redis_async.Redis, ttl_s: int = MARKER_TTL_S) -> None:
        self._redis = client
        self._ttl_s = ttl_s
        self._mark = client.register_script(_MARK)

    async def mark_read(self, operator_id: str, ticket: ticket_pb2.Ticket) -> None:
        """The operator has seen the ticket up to its last customer message."""
        seen = last_customer_message_ms(ticket)
        if seen:
            await self._mark(keys=[_PREFIX + operator_id], args=[ticket.id, seen, self._ttl_s])

    async def unread(self, operator_id: str, tickets: Sequence[ticket_pb2.Ticket]) -> set[str]:
        """The ids of `tickets` with customer messages this operator has not seen."""
        if not tickets:
            return set()
        values = await self._redis.hmget(_PREFIX + operator_id, [ticket.id for ticket in tickets])
        return {
            ticket.id
            for ticket, value in zip(tickets, values, strict=True)
            if is_unread(ticket, int(value) if value is not None else 0)
        }
