"""Which message_saver instance writes the store.

On MongoDB every instance writes: each change is one conditional update the store applies atomically.
On the embedded store (FerretDB v1) a conditional update is not atomic, so one instance at a time is the
writer, chosen by a lease in Redis (t1lib/lease.py): it consumes the topics, serves TicketService and
writes through a fence. The others forward every TicketService call to it and wait for its lease; when
it dies they take over once the lease expired (`writer_lease_ttl_s`)."""

from __future__ import annotations

import socket
import time

import redis.asyncio as redis_async
from prometheus_client import Gauge

from services.message_saver.config import MessageSaverSettings
from t1lib.lease import Lease

WRITER = Gauge("t1_message_saver_writer", "1 while this message_saver instance is the store's writer, else 0")
HOLDER_CACHE_S = 1.0  # how long a follower trusts the writer's address it read


class WriterRole:
    def __init__(self, single_writer: bool) -> None:
        self.single_writer = single_writer  # else every instance writes (the store applies conditions)
        self.lease: Lease | None = None  # the single writer's, once the gRPC server knows its port
        self.writing = False  # the writer's start-up (indexes, views, consumers) is done
        self._holder: tuple[float, str | None] = (0.0, None)
        WRITER.set(0)

    def is_local(self) -> bool:
        """Calls are answered here: every instance writes, or this one is the writer and has started."""
        if not self.single_writer:
            return True
        return self.writing and self.lease is not None and self.lease.held

    def started_writing(self) -> None:
        self.writing = True
        WRITER.set(1)

    def stopped_writing(self) -> None:
        self.writing = False
        WRITER.set(0)

    async def writer_address(self) -> str | None:
        """Where the writer answers; None while there is none, or it is this instance starting."""
        if self.lease is None:
            return None
        read_at, address = self._holder
        if time.monotonic() - read_at > HOLDER_CACHE_S:
            holder = await self.lease.current()
            address = None if holder is None or holder.name == self.lease.name else holder.address
            self._holder = (time.monotonic(), address)
        return address


def writer_lease(settings: MessageSaverSettings, redis: redis_async.Redis) -> Lease:
    """The lease of the store's writer; its name and address are set once the gRPC port is known."""
    return Lease(
        redis,
        f"t1:message_saver-writer:{settings.mongo_db}",  # not under the views prefix: a rebuild clears that
        name=settings.instance_name,
        address="",
        ttl_s=settings.writer_lease_ttl_s,
        margin_s=settings.writer_lease_margin_s,
    )


def advertised_address(settings: MessageSaverSettings, port: int) -> str:
    if settings.grpc_advertised_address:
        return settings.grpc_advertised_address
    host = settings.grpc_host
    if host in ("0.0.0.0", "::", ""):
        host = socket.gethostbyname(socket.gethostname())
    return f"{host}:{port}"
