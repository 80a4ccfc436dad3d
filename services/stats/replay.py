"""`python -m services.stats replay`: rebuild every figure from the topics. With the service stopped, it
drops the facts (`stats_tickets`) and deletes the consumer group, so the next start reads
websocket_notifications and reviews_topic from their first retained offset (auto.offset.reset=earliest)
and derives everything again."""

from __future__ import annotations

import asyncio
import logging

from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient

from services.stats.config import StatsSettings
from services.stats.desk import FACTS_COLLECTION
from t1lib.stores import mongo_client

logger = logging.getLogger(__name__)


class ReplayError(RuntimeError):
    """The consumer group could not be deleted (is the service still running?)."""


def delete_group(bootstrap: str, group: str) -> bool:
    """True when the group existed and is gone; False when there was none."""
    admin = AdminClient({"bootstrap.servers": bootstrap})
    future = admin.delete_consumer_groups([group], request_timeout=15)[group]
    try:
        future.result()
    except KafkaException as error:
        if "GROUP_ID_NOT_FOUND" in str(error):
            return False
        raise ReplayError(f"cannot delete consumer group {group!r} (stop stats first): {error}") from error
    return True


async def replay(settings: StatsSettings) -> str:
    """Drop the facts and the group's offsets; returns what was done, for the operator."""
    deleted = await asyncio.to_thread(delete_group, settings.kafka_bootstrap, settings.consumer_group)
    mongo = mongo_client(settings)
    try:
        await mongo[settings.mongo_db].drop_collection(FACTS_COLLECTION)
    finally:
        await mongo.close()
    group = f"consumer group {settings.consumer_group!r} {'deleted' if deleted else 'had no offsets'}"
    return f"{FACTS_COLLECTION} dropped, {group}: the next start rebuilds every figure from the topics"
