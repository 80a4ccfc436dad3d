"""Live connections of operators and fan-out of events to them."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from typing import Any

from services.notifications.routing import full_payload, payload_for
from t1.notifications.v1 import events_pb2
from t1lib.auth import Principal

logger = logging.getLogger(__name__)


@dataclass(eq=False)
class Connection:
    principal: Principal
    queue: asyncio.Queue[dict[str, Any]]
    overflowed: asyncio.Event = field(default_factory=asyncio.Event)


class Hub:
    def __init__(self, queue_size: int) -> None:
        self._queue_size = queue_size
        self._connections: set[Connection] = set()

    def connect(self, principal: Principal) -> Connection:
        connection = Connection(principal, asyncio.Queue(self._queue_size))
        self._connections.add(connection)
        return connection

    def disconnect(self, connection: Connection) -> None:
        self._connections.discard(connection)

    @property
    def size(self) -> int:
        return len(self._connections)

    def publish(self, event: events_pb2.WebsocketNotification) -> int:
        """Queue the event for every connection allowed to see it; returns how many got it."""
        full = full_payload(event)
        delivered = 0
        for connection in list(self._connections):
            payload = payload_for(connection.principal, event, full)
            if payload is None:
                continue
            try:
                connection.queue.put_nowait(payload)
                delivered += 1
            except asyncio.QueueFull:
                # A console that cannot keep up is cut off; it reconnects and reloads over REST.
                logger.warning("dropping slow connection of %s", connection.principal.operator_id)
                connection.overflowed.set()
                self.disconnect(connection)
        return delivered
