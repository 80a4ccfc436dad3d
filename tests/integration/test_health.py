"""Readiness checks on the real engines: they pass, a dependency on a closed port fails by name and recovers
when it is back, and one that hangs does not hold /readyz past its timeout."""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import AsyncIterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest

from t1lib.config import MongoSettings, QdrantSettings, RedisSettings, S3Settings
from t1lib.health import (
    KafkaCheck,
    MongoCheck,
    OpsServer,
    Probes,
    QdrantCheck,
    Readiness,
    RedisCheck,
    S3Check,
    Status,
    serving,
)
from t1lib.kafka.producer import EventProducer
from t1lib.stores import mongo_client, qdrant_client, redis_client, s3_client
from tests.support.servers import free_port
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


class Forwarder:
    """A TCP hop in front of an engine that the test takes away and brings back on the same port."""

    def __init__(self, target_host: str, target_port: int) -> None:
        self.target = (target_host, target_port)
        self.port = free_port()
        self._server: asyncio.Server | None = None
        self._pipes: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()

    async def open(self) -> None:
        self._server = await asyncio.start_server(self._connect, "127.0.0.1", self.port)

    async def close(self) -> None:
        if self._server is not None:
            self._server.close()
        for writer in self._writers:
            writer.close()
        for pipe in self._pipes:
            pipe.cancel()
        if self._server is not None:
            await self._server.wait_closed()
        self._server = None

    async def _connect(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        up_reader, up_writer = await asyncio.open_connection(*self.target)
        self._writers |= {writer, up_writer}
        for source, sink in ((reader, up_writer), (up_reader, writer)):
            pipe = asyncio.create_task(_pipe(source, sink))
            self._pipes.add(pipe)
            pipe.add_done_callback(self._pipes.discard)


async def _pipe(source: asyncio.StreamReader, sink: asyncio.StreamWriter) -> None:
    with contextlib.suppress(OSError, asyncio.CancelledError):
        while chunk := await source.read(65536):
            sink.write(chunk)
            await sink.drain()
    sink.close()


@contextlib.asynccontextmanager
async def ops(readiness: Readiness) -> AsyncIterator[httpx.AsyncClient]:
    """`readiness` served on an ops server of its own, and a client of it."""
    probes = Probes()
    server = OpsServer(port=0, probes=probes)
    await asyncio.to_thread(server.start)
    try:
        async with serving(readiness, probes), httpx.AsyncClient(base_url=server.url, timeout=10) as client:
            yield client
    finally:
        await asyncio.to_thread(server.stop)


async def test_every_engine_check_passes_on_the_real_engines(engines: dict[str, str], tmp_path: Path) -> None:
    mongo = mongo_client(MongoSettings())
    redis = redis_client(RedisSettings())
    qdrant = qdrant_client(QdrantSettings(qdrant_path=str(tmp_path / "qdrant")))
    producer = EventProducer(engines["T1_KAFKA_BOOTSTRAP"], "test-health")
    s3 = s3_client(S3Settings())
    readiness = Readiness(
        [
            MongoCheck(mongo),
            RedisCheck(redis),
            KafkaCheck(producer),
            QdrantCheck(qdrant),
            S3Check(s3, S3Settings().s3_bucket),
            S3Check(s3, "t1-no-such-bucket", name="missing_bucket", required=False),
        ]
    )
    try:
        async with ops(readiness) as client:
            response = await client.get("/readyz")
            body = response.json()
            assert response.status_code == 200, body
            assert body["status"] == "degraded"
            assert {name for name, check in body["checks"].items() if check["ok"]} == {
                "mongo",
                "redis",
                "kafka",
                "qdrant",
                "s3",
            }
            assert "'t1-no-such-bucket' does not exist" in body["checks"]["missing_bucket"]["error"]
            assert (await client.get("/livez")).json() == {"status": "ok"}
    finally:
        await asyncio.to_thread(producer.close)
        await redis.aclose()
        await mongo.close()
        await qdrant.close()


async def test_kafka_on_a_closed_port_fails_by_name(engines: dict[str, str]) -> None:
    producer = EventProducer(f"127.0.0.1:{free_port()}", "test-health-closed")
    try:
        async with ops(Readiness([KafkaCheck(producer)], timeout_s=1.0)) as client:
            response = await client.get("/readyz")
            assert response.status_code == 503
            assert response.json()["status"] == "failing"
            assert response.json()["checks"]["kafka"]["ok"] is False
    finally:
        await asyncio.to_thread(producer.close, 0)


async def test_readiness_fails_while_redis_is_unreachable_and_recovers(engines: dict[str, str]) -> None:
    real = urlsplit(RedisSettings().redis_url)
    hop = Forwarder(real.hostname or "127.0.0.1", real.port or 6379)
    await hop.open()
    through_hop = real._replace(
        netloc=real.netloc.replace(f"{real.hostname}:{real.port}", f"127.0.0.1:{hop.port}")
    )
    redis = redis_client(RedisSettings(redis_url=through_hop.geturl()))
    mongo = mongo_client(MongoSettings())
    readiness = Readiness([MongoCheck(mongo), RedisCheck(redis)], cache_s=0)
    try:
        async with ops(readiness) as client:

            async def status() -> tuple[int, dict[str, dict[str, object]]]:
                response = await client.get("/readyz")
                return response.status_code, response.json()["checks"]

            assert (await status())[0] == 200
            await hop.close()

            async def unready() -> bool:
                code, checks = await status()
                return code == 503 and checks["redis"]["ok"] is False and checks["mongo"]["ok"] is True

            await eventually(unready, timeout_s=15, what="503 naming redis")
            await hop.open()

            async def ready() -> bool:
                return (await status())[0] == 200

            await eventually(ready, timeout_s=15, what="ready again once Redis is back")
    finally:
        await hop.close()
        await redis.aclose()
        await mongo.close()


async def test_a_hanging_engine_does_not_hold_readyz_past_its_timeout(engines: dict[str, str]) -> None:
    """Redis behind a socket that accepts and never answers: /readyz says so within ~2 s."""
    accepted: list[asyncio.StreamWriter] = []

    async def swallow(_reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)

    silent = await asyncio.start_server(swallow, "127.0.0.1", 0)
    port = silent.sockets[0].getsockname()[1]
    redis = redis_client(RedisSettings(redis_url=f"redis://127.0.0.1:{port}/0"))
    mongo = mongo_client(MongoSettings())
    try:
        async with ops(Readiness([MongoCheck(mongo), RedisCheck(redis)])) as client:
            for _ in range(2):  # the second finds the first probe still hanging
                started = time.monotonic()
                response = await client.get("/readyz")
                elapsed = time.monotonic() - started
                assert elapsed < 2.0, elapsed
                assert response.status_code == 503
                checks = response.json()["checks"]
                assert checks["redis"]["error"] == "no answer within 1.5 s"
                assert checks["mongo"]["ok"] is True
                assert response.json()["status"] == Status.FAILING
    finally:
        for writer in accepted:
            writer.close()
        silent.close()
        await redis.aclose()
        await mongo.close()
