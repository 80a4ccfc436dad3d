"""Creating the registered topics and their dead-letter topics (idempotent)."""

from __future__ import annotations

import asyncio
import logging

from confluent_kafka import KafkaError, KafkaException
from confluent_kafka.admin import AdminClient
from confluent_kafka.cimpl import NewTopic

from t1lib.config import KafkaSettings
from t1lib.kafka.topics import REGISTRY, TopicRegistry, dlq_topic

logger = logging.getLogger(__name__)


def all_topic_names(registry: TopicRegistry = REGISTRY) -> list[str]:
    names = registry.names()
    return names + [dlq_topic(name) for name in names]


def ensure_topics(
    bootstrap: str, registry: TopicRegistry = REGISTRY, *, partitions: int = 3, replication_factor: int = 1
) -> None:
    """Create every registered topic and its `.dlq` twin that does not exist yet."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    wanted = all_topic_names(registry)
    existing = set(admin.list_topics(timeout=10).topics)
    missing = [
        NewTopic(name, num_partitions=partitions, replication_factor=replication_factor)
        for name in wanted
        if name not in existing
    ]
    if not missing:
        return
    for name, future in admin.create_topics(missing, operation_timeout=10).items():
        try:
            future.result(timeout=15)
            logger.info("created topic %s", name)
        except KafkaException as error:
            if error.args[0].code() != KafkaError.TOPIC_ALREADY_EXISTS:
                raise


async def ensure_service_topics(settings: KafkaSettings, registry: TopicRegistry) -> None:
    """`ensure_topics` with the service's settings (partitions, replication factor), off the event loop."""
    await asyncio.to_thread(
        ensure_topics,
        settings.kafka_bootstrap,
        registry,
        partitions=settings.kafka_topic_partitions,
        replication_factor=settings.kafka_topic_replication_factor,
    )
