"""Running the fake: uvicorn on a socket bound by us (port 0 picks a free one), in the caller's event loop."""

from __future__ import annotations

from types import TracebackType

from fakes.llm.app import create_app
from fakes.llm.state import DEFAULT_API_KEY, DEFAULT_MODELS, Fault, LlmState, Rule
from fakes.telegram.transport import install_quiet_drops
from t1lib.runtime import EmbeddedHttpServer


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
        self._http: EmbeddedHttpServer | None = None

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
        self._http = EmbeddedHttpServer(
            self.app, host=self.host, port=self.port, name="fake-llm", log_level=self._log_level
        )
        await self._http.start()
        self.port = self._http.port

    async def stop(self) -> None:
        if self._http is not None:
            await self._http.stop()
        self._http = None

    async def __aenter__(self) -> FakeLlm:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()
