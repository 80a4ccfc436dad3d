"""Running the fake: uvicorn on a socket bound by us (port 0 picks a free one), in the caller's event loop,
plus the task that POSTs updates to the webhook when one is set."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from types import TracebackType

import httpx

from fakes.telegram.app import create_app
from fakes.telegram.state import CALL_LOG_LIMIT, TelegramState
from fakes.telegram.transport import install_quiet_drops
from t1lib.runtime import EmbeddedHttpServer

logger = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456789:AAFakeT1SupportSandboxTokenDoNotUseInProd"  # noqa: S105 - a fake's token
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name


class FakeTelegram:
    """A fake Bot API server. `await start()` binds (port 0: a free port) and serves; `url` is its root.

    Point python-telegram-bot at it with base_url=`api_base_url` and base_file_url=`file_base_url`, or any
    client at `{url}/bot{token}/{method}`. `message_limit` keeps only the newest messages (None: all)."""

    token = DEFAULT_TOKEN

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        host: str = "127.0.0.1",
        port: int = 0,
        bot_username: str = "t1_support_bot",
        bot_first_name: str = "T1 Support",
        webhook_retry_s: float = 0.5,
        log_level: str = "warning",
        message_limit: int | None = None,
        call_log_limit: int = CALL_LOG_LIMIT,
    ) -> None:
        self.token = token
        self.host = host
        self.port = port
        self.state = TelegramState(
            token,
            bot_username=bot_username,
            bot_first_name=bot_first_name,
            message_limit=message_limit,
            call_log_limit=call_log_limit,
        )
        self.app = create_app(self.state)
        self._webhook_retry_s = webhook_retry_s
        self._log_level = log_level
        self._http: EmbeddedHttpServer | None = None
        self._webhook_task: asyncio.Task[None] | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    @property
    def api_base_url(self) -> str:
        """python-telegram-bot's base_url: requests go to {api_base_url}{token}/{method}."""
        return f"{self.url}/bot"

    @property
    def file_base_url(self) -> str:
        """python-telegram-bot's base_file_url."""
        return f"{self.url}/file/bot"

    def method_url(self, method: str) -> str:
        return f"{self.url}/bot{self.token}/{method}"

    async def start(self) -> None:
        install_quiet_drops()
        self._http = EmbeddedHttpServer(
            self.app,
            host=self.host,
            port=self.port,
            name="fake-telegram",
            log_level=self._log_level,
            timeout_graceful_shutdown=2,
        )
        self.state.closing = False
        await self._http.start()
        self.port = self._http.port
        self._webhook_task = asyncio.create_task(self._deliver_webhooks(), name="fake-telegram-webhook")

    async def stop(self) -> None:
        self.state.closing = True
        self.state.changed()  # ends waiting getUpdates and sandbox long polls
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        if self._http is not None:
            await self._http.stop()
        self._http = self._webhook_task = None

    async def __aenter__(self) -> FakeTelegram:
        await self.start()
        return self

    async def __aexit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.stop()

    async def _deliver_webhooks(self) -> None:
        """POST pending updates, one at a time and in order, to the webhook; retry while it fails."""
        state = self.state
        backoff = self._webhook_retry_s
        async with httpx.AsyncClient(timeout=httpx.Timeout(10.0)) as client:
            while not state.closing:
                webhook = state.webhook
                if webhook is None or not state.pending:
                    await state.wait_changed(5.0)
                    continue
                update = state.pending[0]
                headers = {SECRET_HEADER: webhook.secret_token} if webhook.secret_token else {}
                problem: str | None = None
                try:
                    response = await client.post(webhook.url, json=update, headers=headers)
                    if not 200 <= response.status_code < 300:
                        status = f"{response.status_code} {response.reason_phrase}"
                        problem = f"Wrong response from the webhook: {status}"
                except httpx.HTTPError as error:
                    problem = f"Connection failed: {type(error).__name__}: {error}"
                if problem is None:
                    if state.pending and state.pending[0] is update:
                        state.pending.popleft()
                        state.changed()
                    backoff = self._webhook_retry_s
                    continue
                if state.webhook is webhook:
                    webhook.last_error_date = int(time.time())
                    webhook.last_error_message = problem
                logger.info("webhook delivery failed: %s", problem)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)
