"""Calling the Bot API the way Telegram asks: wait out flood control (429 retry_after), retry network errors
and timeouts with backoff, and let every other error through to the caller to classify."""

from __future__ import annotations

import asyncio
import logging
import warnings
from collections.abc import Awaitable, Callable
from datetime import timedelta
from typing import TypeVar

from telegram.error import BadRequest, ChatMigrated, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.warnings import PTBDeprecationWarning

from t1lib.errors import PermanentEventError

logger = logging.getLogger(__name__)

T = TypeVar("T")
Sleep = Callable[[float], Awaitable[None]]


class FloodWaitTooLongError(Exception):
    """Telegram asked to wait longer than we are willing to in one go; the caller may retry later."""


def retry_after_seconds(error: RetryAfter) -> float:
    """RetryAfter.retry_after as seconds, whether python-telegram-bot gives an int or a timedelta."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


def is_permanent(error: BaseException) -> bool:
    """Errors that repeating the same request cannot fix: bad request, bot blocked, chat moved."""
    return isinstance(error, BadRequest | Forbidden | ChatMigrated)


def permanent(error: BaseException, what: str) -> PermanentEventError:
    return PermanentEventError(f"Telegram rejected {what}: {type(error).__name__}: {error}")


class TelegramCaller:
    def __init__(
        self,
        *,
        attempts: int = 5,
        backoff_s: float = 0.5,
        backoff_max_s: float = 10.0,
        max_retry_after_s: float = 300.0,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self._attempts = max(1, attempts)
        self._backoff_s = backoff_s
        self._backoff_max_s = backoff_max_s
        self._max_retry_after_s = max_retry_after_s
        self._sleep = sleep

    async def call(self, what: str, request: Callable[[], Awaitable[T]]) -> T:
        """`request()`, repeated after a 429's retry_after and (up to `attempts` tries) network errors."""
        failures = 0
        waited_s = 0.0
        while True:
            try:
                return await request()
            except RetryAfter as error:
                delay = retry_after_seconds(error)
                if waited_s + delay > self._max_retry_after_s:
                    raise FloodWaitTooLongError(
                        f"{what}: Telegram asks to wait {delay:.0f} s more"
                    ) from error
                logger.warning("%s: flood control, retrying in %.1f s", what, delay)
                waited_s += delay
                await self._sleep(delay)
            except (BadRequest, InvalidToken):
                raise
            except NetworkError as error:  # includes TimedOut; BadRequest (a subclass) is re-raised above
                failures += 1
                if failures >= self._attempts:
                    raise
                delay = min(self._backoff_s * 2 ** (failures - 1), self._backoff_max_s)
                logger.warning(
                    "%s: %r, retry %d/%d in %.1f s", what, error, failures, self._attempts - 1, delay
                )
                await self._sleep(delay)
