"""Running a service process: settings, logging and telemetry at start; signals stop it gracefully."""

from __future__ import annotations

import asyncio
import contextlib
import gc
import signal
import socket
from collections.abc import Awaitable, Callable, Iterator
from types import TracebackType
from typing import Any, Protocol, TypeVar

import uvicorn
import uvloop
from starlette.types import ASGIApp

from t1lib.config import BaseServiceSettings, load_settings
from t1lib.health import Readiness, serving
from t1lib.logs import configure_logging
from t1lib.telemetry import configure_telemetry
from t1lib.tracing import configure_tracing

ServiceSettingsT = TypeVar("ServiceSettingsT", bound=BaseServiceSettings)

# Allocations between two young-generation collections (CPython's default: 700). Every tenth young
# collection examines the middle one and, when enough has survived, the whole heap: in message_saver,
# with its caches of tickets, that full pass stopped every thread for ~110 ms about every 20 s under
# load (t1_gc_pause_seconds), which was most of its latency tail. Fewer young collections make the full
# passes rarer; each young one stays a few ms.
GC_YOUNG_THRESHOLD = 20_000


def start_service(settings_type: type[ServiceSettingsT]) -> ServiceSettingsT:
    """Settings from the environment (exiting with a clear message when incomplete), then logging and
    telemetry configured from them."""
    settings = load_settings(settings_type)
    configure_logging(settings.service_name, settings.log_level, json_output=settings.log_json)
    configure_tracing(settings.service_name, settings)
    configure_telemetry(settings.service_name, settings.metrics_port, settings.metrics_host)
    tune_gc()
    return settings


def tune_gc() -> None:
    """What is loaded by now (modules, schemas) lives as long as the process: the collector skips it
    from here on (`gc.freeze`), and collects the young generation less often."""
    gc.collect()
    gc.freeze()
    _young, middle, old = gc.get_threshold()
    gc.set_threshold(GC_YOUNG_THRESHOLD, middle, old)


def run_until_signalled(main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run `main(stop)`; SIGINT/SIGTERM set `stop`, and `main` is expected to flush and close, then return."""

    async def runner() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await main(stop)

    # uvloop: the same asyncio API with less overhead per callback and per socket operation.
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as running:
        running.run(runner())


class ServiceApp(Protocol):
    """A service's wiring: started, run until stop is asked (or it fails), then stopped; its `readiness`
    (the engines it needs) is reported on /readyz while it runs."""

    readiness: Readiness

    async def start(self) -> None: ...

    async def wait(self, stop: asyncio.Event) -> None: ...

    async def stop(self) -> None: ...


def run_app(build: Callable[[], Awaitable[ServiceApp]]) -> None:
    """Build the app, start it and run it until SIGINT/SIGTERM (or until its `wait` ends); stop it always."""

    async def serve(stop: asyncio.Event) -> None:
        app = await build()
        try:
            await app.start()
            async with serving(app.readiness):
                await app.wait(stop)
        finally:
            await app.stop()

    run_until_signalled(serve)


def serve_http(app: ASGIApp, host: str, port: int) -> None:
    """Serve an ASGI app until SIGINT/SIGTERM (uvicorn shuts the app's lifespan down gracefully).
    WebSocket frames go uncompressed: permessage-deflate compresses every frame once per connection (a
    third of the gateway's CPU with a single operator at 1,000 msg/s), and the frames are small."""
    uvicorn.run(
        app,
        host=host,
        port=port,
        log_config=None,
        proxy_headers=False,
        loop="uvloop",
        ws_per_message_deflate=False,
    )


class _NoSignalServer(uvicorn.Server):
    """uvicorn without its signal handlers: the process that embeds the server owns SIGINT/SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class EmbeddedHttpServer:
    """Serves an ASGI app with uvicorn inside the caller's event loop (fakes, tests), on a socket bound
    here: port 0 picks a free one, and `port` is the bound one once started. `options` go to uvicorn.Config.

        async with EmbeddedHttpServer(app) as server:
            httpx.get(server.url)"""

    def __init__(
        self,
        app: ASGIApp,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        name: str = "http",
        **options: Any,
    ) -> None:
        self.app = app
        self.host = host
        self.port = port
        self._name = name
        self._options = {"access_log": False, "lifespan": "off", "timeout_graceful_shutdown": 1, **options}
        self._server: _NoSignalServer | None = None
        self._task: asyncio.Task[None] | None = None
        self._socket: socket.socket | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> None:
        # IPPROTO_TCP, not 0: asyncio sets TCP_NODELAY on accepted connections only for such sockets, and
        # without it every answer on a kept-alive connection waited ~44 ms for the client's delayed ACK.
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.set_inheritable(True)
        self._socket = sock
        self.port = int(sock.getsockname()[1])
        self._server = _NoSignalServer(uvicorn.Config(self.app, **self._options))
        self._task = asyncio.create_task(self._server.serve(sockets=[sock]), name=self._name)
        while not self._server.started:
            if self._task.done():
                self._task.result()
                raise RuntimeError(f"{self._name} stopped while starting")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._server is not None and self._task is not None:
            self._server.should_exit = True
            await self._task
        if self._socket is not None:
            self._socket.close()
        self._server = self._task = self._socket = None

    async def __aenter__(self) -> EmbeddedHttpServer:
        await self.start()
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        await self.stop()
