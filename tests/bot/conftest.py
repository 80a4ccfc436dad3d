"""The bot on the real engines (Kafka, Redis, S3 from the `engines` fixture) against the fake Telegram server,
in-process: topics under a prefix unique to each test, a bucket and a consumer group of its own."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
from minio import Minio

from fakes.telegram import FakeTelegram
from services.bot.config import BotSettings
from services.bot.service import BotService, build_bot
from t1lib.config import S3Settings
from t1lib.kafka.topics import TopicRegistry
from t1lib.stores import ensure_bucket, s3_client
from tests.bot.helpers import TopicReader

# python-telegram-bot's future behaviour (time periods as timedelta), without its deprecation warnings.
os.environ.setdefault("PTB_TIMEDELTA", "true")

SettingsFactory = Callable[..., BotSettings]


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram() as fake:
        yield fake


@pytest.fixture
async def sandbox(telegram: FakeTelegram) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=telegram.url, timeout=15) as client:
        yield client


@pytest.fixture
def s3(engines: dict[str, str]) -> Minio:
    return s3_client(S3Settings())


@pytest.fixture
async def bucket(s3: Minio) -> AsyncIterator[str]:
    name = f"test-bot-{uuid.uuid4().hex[:12]}"
    await ensure_bucket(s3, name)
    yield name

    def drop() -> None:
        for item in s3.list_objects(name, recursive=True):
            s3.remove_object(name, item.object_name)
        s3.remove_bucket(name)

    await asyncio.to_thread(drop)


@pytest.fixture
def make_settings(engines: dict[str, str], telegram: FakeTelegram, bucket: str) -> SettingsFactory:
    def make(**overrides: Any) -> BotSettings:
        values: dict[str, Any] = {
            "telegram_bot_token": telegram.token,
            "telegram_api_url": telegram.url,
            "s3_bucket": bucket,
            "consumer_group": f"bot-{uuid.uuid4().hex[:8]}",
            "bot_poll_timeout_s": 5,
            "bot_send_backoff_s": 0.05,
            "bot_ingest_backoff_s": 0.05,
            "kafka_retry_backoff_s": 0.05,
            "log_json": False,
        }
        values.update(overrides)
        return BotSettings(**values)

    return make


@pytest.fixture
async def bot(make_settings: SettingsFactory, registry: TopicRegistry) -> AsyncIterator[BotService]:
    async with build_bot(make_settings(), registry).running() as service:
        yield service


@pytest.fixture
async def reader_of(bootstrap: str, registry: TopicRegistry) -> AsyncIterator[Callable[[str], TopicReader]]:
    readers: list[TopicReader] = []

    def make(topic: str) -> TopicReader:
        reader = TopicReader(bootstrap, topic, registry)
        readers.append(reader)
        return reader

    yield make
    for reader in readers:
        await asyncio.to_thread(reader.close)
