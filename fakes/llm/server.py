"""Running the fake: uvicorn on a socket bound by us (port 0 picks a free one), in the caller's event loop."""

from __future__ import annotations

import asyncio
import contextlib
import socket
from collections.abc import Iterator
from types import TracebackType

import uvicorn

from fakes.llm.app import create_app
from fakes.llm.state import DEFAULT_API_KEY, DEFAULT_MODELS, Fault, LlmState, Rule
from fakes.telegram.transport import install_quiet_drops


class _EmbeddedServer(uvicorn.Server):
    """uvicorn without its signal handlers: the process that embeds the fake owns SIGINT/SIGTERM."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


class FakeLlm:
    """A fake OpenAI-compatible server. `await start()` binds (port 0: a free port) and serves.

    Point a client at `base_url` (`http://host:port/v1`) with `api_key`. Script it through `state` in the
    same process, or through the /fake/ control API over HTTP."""

    def __init__(
        self,
        *,
        api_key: str = DEFAULT_API_KEY,
        host: str = "127.0.0.1",
        port: int = 0,
        models: tuple[str, ...] = DEFAULT_MODELS,
        accept_any_model: bool = True,
        log_level: str = "warning",
    ) -> None:
        self.host = host
        self.port = port
        self.state = LlmState(api_key=api_key, models=models, accept_any_model=accept_any_model)
        self.app = create_app(self.state)
        self._log_level = log_level
        self._server: _EmbeddedServer | None = None
        self._serve_task: asyncio.Task[None] | None = None
        self._socket: socket.socket | None = None

    @property
    def api_key(self) -> str:
        return self.state.api_key

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def base_url(self) -> str:
        """The OpenAI base URL: requests go to {base_url}/chat/completions."""
        return f"{self.url}/v1"

    # shorthands for tests in the same process

    def script(self, *contents: str) -> None:
        self.state.script(*contents)

    def add_rule(self, reply: str, *, contains: str = "", pattern: str = "") -> None:
        self.state.add_rule(Rule(reply=reply, contains=contains, pattern=pattern))

    def fail(self, fault: Fault) -> None:
        self.state.add_fault(fault)

    async def start(self) -> None:
        install_quiet_drops()
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        sock.set_inheritable(True)
        self._socket = sock
        self.port = int(sock.getsockname()[1])
        config = uvicorn.Config(
            self.app,
            log_level=self._log_level,
            access_log=False,
            lifespan="off",
            timeout_graceful_shutdown=1,
        )
        self._server = _EmbeddedServer(config)
        self._serve_task = asyncio.create_task(self._server.serve(sockets=[sock]), name="fake-llm")
        while not self._server.started:
            if self._serve_task.done():
                self._serve_task.result()
                raise RuntimeError("the fake LLM server stopped while starting")
            await asyncio.sleep(0.01)

    async def stop(self) -> None:
        if self._server is not None and self._serve_task is not None:
            self._server.should_exit = True
            await self._serve_task
        if self._socket is not None:
            self._socket.close()
        self._server = self._serve_task = self._socket = None

    async def __aenter__(self) -> FakeLlm:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()
