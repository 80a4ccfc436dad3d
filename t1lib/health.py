"""Liveness and readiness: typed checks of the engines a service needs, and the ops HTTP server that
serves /metrics, /livez and /readyz on T1_METRICS_HOST:T1_METRICS_PORT.

The ops server runs on its own thread and event loop, so a scrape or a probe never waits behind the
service's handlers; the readiness checks run in the service's loop (they use its clients) with a timeout
each, so /readyz answers within ~2 s even when an engine hangs or the service's loop is stuck.

    readiness = Readiness([MongoCheck(mongo), KafkaCheck(producer), GrpcCheck("ml", channel, required=False)])
    async with serving(readiness):   # /readyz answers from now on; "stopping" (503) after the block
        await stop.wait()
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import threading
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, Any, Protocol

import grpc
import httpx
from grpc_health.v1 import health_pb2, health_pb2_grpc
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, generate_latest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

if TYPE_CHECKING:
    import redis.asyncio as redis_async
    from minio import Minio
    from pymongo import AsyncMongoClient
    from qdrant_client import AsyncQdrantClient

    from t1lib.kafka.producer import EventProducer

logger = logging.getLogger(__name__)

# Each check gets this long; they run at once, so /readyz answers within it plus a little.
CHECK_TIMEOUT_S = 1.5
# A report is reused this long: probes from several places do not each reach every engine.
CACHE_S = 1.0
# The service's loop ticks a heartbeat this often; /livez fails when it has not ticked for STALL_S.
HEARTBEAT_S = 1.0
STALL_S = 30.0
# With listeners (the gRPC health service), readiness is evaluated this often in the background.
WATCH_S = 5.0


class CheckFailedError(Exception):
    """A dependency answered, but not as a ready one should (a missing bucket, NOT_SERVING)."""


class Check(Protocol):
    """One dependency. `probe` returns when it is usable and raises otherwise; `timeout_s` is how long it
    may take (the readiness cancels it after that). A check that is not `required` degrades the service
    (reported, still 200) instead of making it unready."""

    @property
    def name(self) -> str: ...

    @property
    def required(self) -> bool: ...

    async def probe(self, timeout_s: float) -> None: ...


@dataclass(frozen=True)
class MongoCheck:
    client: AsyncMongoClient[Any]
    name: str = "mongo"
    required: bool = True

    async def probe(self, timeout_s: float) -> None:
        await self.client.admin.command("ping")


@dataclass(frozen=True)
class RedisCheck:
    client: redis_async.Redis
    name: str = "redis"
    required: bool = True

    async def probe(self, timeout_s: float) -> None:
        await self.client.ping()


@dataclass(frozen=True)
class S3Check:
    client: Minio
    bucket: str
    name: str = "s3"
    required: bool = True

    async def probe(self, timeout_s: float) -> None:
        if not await asyncio.to_thread(self.client.bucket_exists, self.bucket):
            raise CheckFailedError(f"bucket {self.bucket!r} does not exist")


@dataclass(frozen=True)
class KafkaCheck:
    """The cluster's metadata through the service's own producer (a broker answers)."""

    producer: EventProducer
    name: str = "kafka"
    required: bool = True

    async def probe(self, timeout_s: float) -> None:
        brokers = await asyncio.to_thread(self.producer.broker_count, timeout_s)
        if not brokers:
            raise CheckFailedError("no broker in the cluster's metadata")


@dataclass(frozen=True)
class GrpcCheck:
    """A gRPC dependency's health service says SERVING (`service` "" is the whole server)."""

    name: str
    channel: grpc.aio.Channel
    service: str = ""
    required: bool = True

    async def probe(self, timeout_s: float) -> None:
        stub: Any = health_pb2_grpc.HealthStub(self.channel)  # the stubs package types no methods
        response = await stub.Check(health_pb2.HealthCheckRequest(service=self.service), timeout=timeout_s)
        if response.status != health_pb2.HealthCheckResponse.SERVING:
            raise CheckFailedError(health_pb2.HealthCheckResponse.ServingStatus.Name(response.status))


@dataclass(frozen=True)
class QdrantCheck:
    client: AsyncQdrantClient
    name: str = "qdrant"
    required: bool = True

    async def probe(self, timeout_s: float) -> None:
        await self.client.get_collections()


@dataclass(frozen=True)
class HttpCheck:
    """GET `url` answers 2xx."""

    name: str
    url: str
    required: bool = True

    async def probe(self, timeout_s: float) -> None:
        async with httpx.AsyncClient(timeout=timeout_s) as client:
            response = await client.get(self.url)
        if not response.is_success:
            raise CheckFailedError(f"GET {self.url} answered {response.status_code}")


@dataclass(frozen=True)
class ConditionCheck:
    """A state of the service itself (a consumer has its partitions)."""

    name: str
    condition: Callable[[], bool]
    failure: str
    required: bool = True

    async def probe(self, timeout_s: float) -> None:
        if not self.condition():
            raise CheckFailedError(self.failure)


class Status(StrEnum):
    OK = "ok"
    DEGRADED = "degraded"  # an optional dependency fails: the service works with less
    FAILING = "failing"
    STARTING = "starting"
    STOPPING = "stopping"


@dataclass(frozen=True)
class CheckResult:
    ok: bool
    required: bool
    latency_ms: float
    error: str | None = None

    def as_json(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "required": self.required,
            "latency_ms": round(self.latency_ms, 1),
            "error": self.error,
        }


@dataclass(frozen=True)
class Report:
    status: Status
    checks: dict[str, CheckResult]

    @property
    def ready(self) -> bool:
        return self.status in (Status.OK, Status.DEGRADED)

    @property
    def http_status(self) -> int:
        return 200 if self.ready else 503

    def as_json(self) -> dict[str, Any]:
        return {"status": self.status.value, "checks": {n: r.as_json() for n, r in self.checks.items()}}

    @classmethod
    def of(cls, checks: dict[str, CheckResult]) -> Report:
        """ok when every check passes, failing when a required one fails, degraded otherwise."""
        if any(not result.ok and result.required for result in checks.values()):
            return cls(Status.FAILING, checks)
        if any(not result.ok for result in checks.values()):
            return cls(Status.DEGRADED, checks)
        return cls(Status.OK, checks)


def describe(error: BaseException) -> str:
    text = str(error).strip().splitlines()[0][:300] if str(error).strip() else ""
    return f"{type(error).__name__}: {text}" if text else type(error).__name__


Listener = Callable[[Report], Awaitable[None]]


class Readiness:
    """The checks of one service, evaluated together: each at most `timeout_s`, at once; a report is
    reused for `cache_s`, and concurrent callers share one evaluation. A check still running from an
    earlier evaluation (a hung engine) is awaited again rather than started twice."""

    def __init__(
        self, checks: Sequence[Check], *, timeout_s: float = CHECK_TIMEOUT_S, cache_s: float = CACHE_S
    ) -> None:
        names = [check.name for check in checks]
        if len(set(names)) != len(names):
            raise ValueError(f"check names must be unique: {names}")
        self.checks = list(checks)
        self.timeout_s = timeout_s
        self.cache_s = cache_s
        self._cached: tuple[float, Report] | None = None
        self._evaluating: asyncio.Task[Report] | None = None
        self._probes: dict[str, asyncio.Task[None]] = {}
        self._listeners: list[Listener] = []

    def on_report(self, listener: Listener) -> None:
        """`listener(report)` after every evaluation (the gRPC health service follows readiness)."""
        self._listeners.append(listener)

    @property
    def has_listeners(self) -> bool:
        return bool(self._listeners)

    async def report(self) -> Report:
        now = time.monotonic()
        if self._cached is not None and now - self._cached[0] < self.cache_s:
            return self._cached[1]
        if self._evaluating is None or self._evaluating.done():
            self._evaluating = asyncio.create_task(self._evaluate(), name="readiness")
        return await asyncio.shield(self._evaluating)

    async def _evaluate(self) -> Report:
        results = await asyncio.gather(*(self._run(check) for check in self.checks))
        report = Report.of({check.name: result for check, result in zip(self.checks, results, strict=True)})
        self._cached = (time.monotonic(), report)
        for listener in self._listeners:
            try:
                await listener(report)
            except Exception:
                logger.exception("a readiness listener failed")
        return report

    async def _run(self, check: Check) -> CheckResult:
        started = time.perf_counter()
        probe = self._probes.get(check.name)
        if probe is None or probe.done():
            probe = asyncio.create_task(check.probe(self.timeout_s), name=f"readiness-{check.name}")
            # Seen here or by the next evaluation; a probe that outlived its wait is not an unread error.
            probe.add_done_callback(lambda task: task.cancelled() or task.exception())
            self._probes[check.name] = probe
        error: str | None = None
        try:
            await asyncio.wait_for(asyncio.shield(probe), self.timeout_s)
        except TimeoutError:
            error = f"no answer within {self.timeout_s:g} s"
        except Exception as failure:
            error = describe(failure)
        latency_ms = (time.perf_counter() - started) * 1000
        return CheckResult(ok=error is None, required=check.required, latency_ms=latency_ms, error=error)

    async def close(self) -> None:
        """Cancel the probes still running (a hung engine) when the service stops."""
        for task in [*self._probes.values(), *([self._evaluating] if self._evaluating else [])]:
            task.cancel()
        for task in self._probes.values():
            with contextlib.suppress(BaseException):
                await task


@dataclass
class _Attached:
    readiness: Readiness
    loop: asyncio.AbstractEventLoop
    heartbeat: float


class Probes:
    """What the health endpoints answer for one service: liveness from the heartbeat of its loop and
    readiness from its `Readiness`, callable from any thread's loop (the ops server's)."""

    def __init__(self) -> None:
        self._attached: _Attached | None = None
        self._stopping = False

    def attach(self, readiness: Readiness) -> None:
        self._attached = _Attached(readiness, asyncio.get_running_loop(), time.monotonic())
        self._stopping = False

    def beat(self) -> None:
        if self._attached is not None:
            self._attached.heartbeat = time.monotonic()

    def detach(self) -> None:
        self._stopping = True

    def liveness(self) -> tuple[int, dict[str, Any]]:
        attached = self._attached
        if attached is None or self._stopping:
            return 200, {"status": "ok"}
        stalled = time.monotonic() - attached.heartbeat
        if stalled > STALL_S:
            return 503, {"status": "stalled", "loop_stalled_s": round(stalled, 1)}
        return 200, {"status": "ok"}

    async def readiness(self) -> tuple[int, dict[str, Any]]:
        """The report; evaluated in the service's loop, and waited for from whichever loop calls."""
        attached = self._attached
        if self._stopping:
            return 503, Report(Status.STOPPING, {}).as_json()
        if attached is None:
            return 503, Report(Status.STARTING, {}).as_json()
        here = asyncio.get_running_loop()
        if here is attached.loop:
            report = await attached.readiness.report()
            return report.http_status, report.as_json()
        future = asyncio.run_coroutine_threadsafe(attached.readiness.report(), attached.loop)
        budget = attached.readiness.timeout_s + 0.4
        try:
            report = await asyncio.wait_for(asyncio.wrap_future(future), budget)
        except TimeoutError:
            future.cancel()
            stuck = CheckResult(
                ok=False, required=True, latency_ms=budget * 1000, error="the service's event loop is busy"
            )
            return 503, Report(Status.FAILING, {"loop": stuck}).as_json()
        return report.http_status, report.as_json()


PROBES = Probes()


def health_routes(probes: Probes = PROBES) -> list[Route]:
    """GET /livez and /readyz (JSON); an app may mount them next to its own routes."""

    async def livez(_request: Request) -> Response:
        code, body = probes.liveness()
        return JSONResponse(body, status_code=code)

    async def readyz(_request: Request) -> Response:
        code, body = await probes.readiness()
        return JSONResponse(body, status_code=code)

    return [Route("/livez", livez, methods=["GET"]), Route("/readyz", readyz, methods=["GET"])]


def ops_app(probes: Probes = PROBES) -> Starlette:
    """/metrics (Prometheus text format), /livez and /readyz."""

    async def metrics(_request: Request) -> Response:
        return Response(generate_latest(REGISTRY), media_type=CONTENT_TYPE_LATEST)

    return Starlette(routes=[Route("/metrics", metrics, methods=["GET"]), *health_routes(probes)])


class OpsServer:
    """`ops_app` served by uvicorn on its own thread and event loop (`port` 0 picks a free one)."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0, probes: Probes = PROBES) -> None:
        self.host = host
        self.port = port
        self.probes = probes
        self._started = threading.Event()
        self._error: BaseException | None = None
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(
            target=lambda: asyncio.run(self._serve()), name="ops-http", daemon=True
        )
        self._thread.start()
        if not self._started.wait(15):
            raise RuntimeError("the ops HTTP server did not start within 15 s")
        if self._error is not None:
            raise self._error

    async def _serve(self) -> None:
        from t1lib.runtime import EmbeddedHttpServer  # runtime imports telemetry, which imports this

        self._loop = asyncio.get_running_loop()
        self._stop = asyncio.Event()
        server = EmbeddedHttpServer(ops_app(self.probes), host=self.host, port=self.port, name="ops-http")
        try:
            await server.start()
        except BaseException as error:
            self._error = error
            self._started.set()
            return
        self.port = server.port
        self._started.set()
        try:
            await self._stop.wait()
        finally:
            await server.stop()

    def stop(self) -> None:
        if self._loop is not None and self._stop is not None and self._thread is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
            self._thread.join(10)
        self._thread = None


async def _heartbeat(probes: Sequence[Probes]) -> None:
    while True:
        for each in probes:
            each.beat()
        await asyncio.sleep(HEARTBEAT_S)


async def _watch(readiness: Readiness) -> None:
    while True:
        await asyncio.sleep(WATCH_S)
        await readiness.report()


@contextlib.asynccontextmanager
async def serving(readiness: Readiness, probes: Probes | None = None) -> AsyncIterator[Readiness]:
    """The service is started: the process's ops server (PROBES), and `probes` when given (an app's own
    /livez and /readyz), report `readiness` and watch this loop for the block; after it, /readyz says
    "stopping" (503) while the service shuts down."""
    attached = [PROBES] if probes is None or probes is PROBES else [PROBES, probes]
    for each in attached:
        each.attach(readiness)
    tasks = [asyncio.create_task(_heartbeat(attached), name="liveness-heartbeat")]
    if readiness.has_listeners:
        tasks.append(asyncio.create_task(_watch(readiness), name="readiness-watch"))
    try:
        yield readiness
    finally:
        for each in attached:
            each.detach()
        for task in tasks:
            task.cancel()
        await readiness.close()
