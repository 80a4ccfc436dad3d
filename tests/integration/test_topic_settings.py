"""Topics are created with the install's partitions and replication factor (T1_KAFKA_TOPIC_PARTITIONS,
T1_KAFKA_TOPIC_REPLICATION_FACTOR): 1 replica on the local single broker, 3 on a three-broker cluster."""

from __future__ import annotations

import uuid

import pytest
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

from t1lib.config import KafkaSettings
from t1lib.kafka.admin import all_topic_names, ensure_service_topics
from t1lib.kafka.topics import EVENT_TYPES, TopicRegistry

pytestmark = pytest.mark.integration


def settings(bootstrap: str, partitions: int, replicas: int) -> KafkaSettings:
    return KafkaSettings(
        kafka_bootstrap=bootstrap,
        kafka_topic_partitions=partitions,
        kafka_topic_replication_factor=replicas,
    )


async def test_topics_get_the_configured_partitions_and_replicas(bootstrap: str) -> None:
    registry = TopicRegistry(EVENT_TYPES, prefix=f"layout-{uuid.uuid4().hex[:8]}.")
    admin = AdminClient({"bootstrap.servers": bootstrap})
    try:
        await ensure_service_topics(settings(bootstrap, partitions=5, replicas=1), registry)
        topics = admin.list_topics(timeout=10).topics
        for name in all_topic_names(registry):
            assert len(topics[name].partitions) == 5, name
            assert all(len(partition.replicas) == 1 for partition in topics[name].partitions.values())
    finally:
        for future in admin.delete_topics(all_topic_names(registry), operation_timeout=10).values():
            future.result(timeout=15)


async def test_more_replicas_than_brokers_is_refused_by_the_broker(bootstrap: str) -> None:
    """The factor reaches the broker: the local cluster has one broker, so 3 replicas cannot be placed."""
    registry = TopicRegistry(EVENT_TYPES, prefix=f"layout-{uuid.uuid4().hex[:8]}.")
    with pytest.raises(KafkaException, match=r"(?i)replication"):
        await ensure_service_topics(settings(bootstrap, partitions=1, replicas=3), registry)
    assert not set(all_topic_names(registry)) & set(
        AdminClient({"bootstrap.servers": bootstrap}).list_topics(timeout=10).topics
    )
