from __future__ import annotations

import os
from collections.abc import AsyncIterator

import httpx
import pytest

from fakes.telegram import FakeTelegram

# python-telegram-bot's future behaviour (time periods as timedelta), without its deprecation warnings.
os.environ.setdefault("PTB_TIMEDELTA", "true")


@pytest.fixture
async def fake() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as server:
        yield server


@pytest.fixture
async def client(fake: FakeTelegram) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=fake.url, timeout=15) as http:
        yield http
