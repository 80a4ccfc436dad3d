"""Long polling of getUpdates in place of python-telegram-bot's Updater, so plain customer messages skip the
library's parsing (services.bot.incoming says why).

Every update enters the application's update queue in the order Telegram delivered it: a plain customer
message as an `IncomingMessage`, anything else as the library's `Update`. The queue's bound stops polling
while the bot is busy. An update is confirmed to Telegram (the next getUpdates' offset) only once it is
in the queue; on stop, the updates taken are confirmed after the application has handled them."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections.abc import Mapping, Sequence
from typing import Any

import aiohttp
from telegram import Bot, Update

from services.bot import customer

logger = logging.getLogger(__name__)

MAX_UPDATES = 100
CONNECT_TIMEOUT_S = 10.0


class TelegramAuthError(RuntimeError):
    """The bot token was refused: polling cannot go on."""


class GetUpdatesError(RuntimeError):
    def __init__(self, code: object, description: object, retry_after: float | None) -> None:
        super().__init__(f"{code} {description}")
        self.retry_after = retry_after


class UpdatePoller:
    def __init__(
        self,
        *,
        bot: Bot,
        queue: asyncio.Queue[object],
        method_url: str,
        timeout_s: int,
        interval_s: float,
        allowed_updates: Sequence[str],
        backoff_s: float = 0.5,
        backoff_max_s: float = 30.0,
    ) -> None:
        """`method_url` is the Bot API's URL up to the method name (…/bot<token>/)."""
        self._bot = bot
        self._queue = queue
        self._url = method_url.rstrip("/") + "/getUpdates"
        self._timeout_s = max(0, timeout_s)
        self._interval_s = interval_s
        self._allowed = list(allowed_updates)
        self._backoff_s = backoff_s
        self._backoff_max_s = backoff_max_s
        self._offset: int | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        """Remove a webhook (getUpdates refuses to run next to one), then poll in the background."""
        await self._bot.delete_webhook()
        self._task = asyncio.create_task(self._poll_forever(), name="bot-get-updates")

    async def stop(self) -> None:
        """Stop asking for updates (an answer still on its way is dropped, unconfirmed)."""
        if self._task is None:
            return
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task
        self._task = None

    async def confirm(self) -> None:
        """Tell Telegram that every update taken is handled, so a restart does not get them again."""
        if self._offset is None:
            return
        async with _client(0) as client:
            try:
                await self._get_updates(client, timeout_s=0, limit=1)
            except Exception as error:  # the next start gets them again, and they are idempotent
                logger.warning("could not confirm the last updates to Telegram: %r", error)

    @property
    def task(self) -> asyncio.Task[None] | None:
        """The polling task while it runs (it ends only with an error, such as a refused token)."""
        return self._task

    async def _poll_forever(self) -> None:
        failures = 0
        async with _client(self._timeout_s) as client:
            while True:
                try:
                    updates = await self._get_updates(client, timeout_s=self._timeout_s, limit=MAX_UPDATES)
                except TelegramAuthError:
                    raise
                except Exception as error:
                    failures += 1
                    delay = min(self._backoff_max_s, self._backoff_s * 2 ** (failures - 1))
                    if isinstance(error, GetUpdatesError) and error.retry_after:
                        delay = error.retry_after
                    logger.warning("getUpdates failed (%r); again in %.1f s", error, delay)
                    await asyncio.sleep(delay)
                    continue
                failures = 0
                for raw in updates:
                    update = self._read(raw)
                    if update is not None:
                        await self._queue.put(update)
                    self._offset = int(raw["update_id"]) + 1
                # The pause lets a quiet desk's updates gather into fuller answers; after a full answer more
                # are waiting (a backlog after downtime, an outage's burst), so the next poll goes at once.
                if updates and len(updates) < MAX_UPDATES and self._interval_s > 0:
                    await asyncio.sleep(self._interval_s)

    def _read(self, raw: Mapping[str, Any]) -> object | None:
        message = customer.plain_customer_message(raw)
        if message is not None:
            return message
        try:
            return Update.de_json(dict(raw), self._bot)
        except Exception:
            logger.exception("an update Telegram sent could not be read; skipped")
            return None

    async def _get_updates(self, client: aiohttp.ClientSession, *, timeout_s: int, limit: int) -> list[Any]:
        body: dict[str, Any] = {"timeout": timeout_s, "limit": limit, "allowed_updates": self._allowed}
        if self._offset is not None:
            body["offset"] = self._offset
        async with client.post(self._url, json=body, allow_redirects=False) as response:
            status = response.status
            answer = json.loads(await response.read())
        if not isinstance(answer, dict):
            raise ValueError(f"getUpdates answered {status} with a non-object")
        if answer.get("ok") is not True:
            code = answer.get("error_code", status)
            description = answer.get("description", "")
            if code in (401, 404):
                raise TelegramAuthError(f"Telegram refused the bot token: {code} {description}")
            retry_after = (answer.get("parameters") or {}).get("retry_after")
            raise GetUpdatesError(
                code, description, float(retry_after) if isinstance(retry_after, int | float) else None
            )
        result = answer.get("result")
        if not isinstance(result, list) or not all(
            isinstance(item, dict) and isinstance(item.get("update_id"), int) for item in result
        ):
            raise ValueError("getUpdates answered without a list of updates")
        return result


def _client(poll_timeout_s: int) -> aiohttp.ClientSession:
    # aiohttp rather than the library's httpx: a getUpdates call costs the bot ~0.6 ms of CPU against ~2 ms,
    # and a busy desk polls dozens of times a second.
    return aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(
            sock_connect=CONNECT_TIMEOUT_S, sock_read=poll_timeout_s + CONNECT_TIMEOUT_S
        ),
    )
