from __future__ import annotations

import asyncio
import uuid
from collections.abc import AsyncIterator

import pytest
from confluent_kafka.admin import AdminClient

from t1lib.kafka.admin import all_topic_names, ensure_topics
from t1lib.kafka.producer import EventProducer
from t1lib.kafka.topics import EVENT_TYPES, TopicRegistry

pytestmark = pytest.mark.integration


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
