"""Live connections of operators and fan-out of events to them."""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass, field
from typing import NamedTuple

from opentelemetry.context import Context

from services.notifications.routing import full_payload, payload_for
from t1.notifications.v1 import events_pb2
from t1lib.auth import Principal
from t1lib.telemetry import WS_CONNECTIONS

logger = logging.getLogger(__name__)


class Outgoing(NamedTuple):
    text: str
    trace: Context | None


@dataclass(eq=False)
class Connection:
    """What one console is yet to receive: JSON texts, sent in order by its own sender loop."""

    principal: Principal
    limit: int
    pending: deque[Outgoing] = field(default_factory=deque)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    overflowed: bool = False

    def offer(self, text: str, trace: Context | None = None) -> bool:
        """Queue a text (sent in `trace`, the event's, when given); False (and overflowed) when the
        console is `limit` events behind."""
        if len(self.pending) >= self.limit:
            self.overflowed = True
            self.ready.set()
            return False
        self.pending.append(Outgoing(text, trace))
        self.ready.set()
        return True

    async def next_texts(self) -> list[Outgoing]:
        """Everything queued, once there is something (or the connection overflowed: then [])."""
        await self.ready.wait()
        self.ready.clear()
        if self.overflowed:
            return []
        texts = list(self.pending)
        self.pending.clear()
        return texts


class Hub:
    def __init__(self, queue_size: int) -> None:
        self._queue_size = queue_size
        self._connections: set[Connection] = set()

    def connect(self, principal: Principal) -> Connection:
        connection = Connection(principal, self._queue_size)
        self._connections.add(connection)
        WS_CONNECTIONS.inc()
        return connection

    def disconnect(self, connection: Connection) -> None:
        """Forget the connection (again is harmless: a slow one is dropped before its socket closes)."""
        if connection in self._connections:
            self._connections.discard(connection)
            WS_CONNECTIONS.dec()

    @property
    def size(self) -> int:
        return len(self._connections)

    def publish(self, event: events_pb2.WebsocketNotification, trace: Context | None = None) -> int:
        """Queue the event for every connection allowed to see it; returns how many got it. The full
        payload is built and serialised once, whoever receives it. `trace`: the event's, which the
        sending continues (only when tracing is on)."""
        if not self._connections:
            return 0
        full = full_payload(event)
        full_text = full.model_dump_json()
        delivered = 0
        for connection in list(self._connections):
            payload = payload_for(connection.principal, event, full)
            if payload is None:
                continue
            text = full_text if payload is full else payload.model_dump_json()
            if connection.offer(text, trace):
                delivered += 1
            else:
                # A console that cannot keep up is cut off; it reconnects and reloads over REST.
                logger.warning("dropping slow connection of %s", connection.principal.operator_id)
                self.disconnect(connection)
        return delivered
