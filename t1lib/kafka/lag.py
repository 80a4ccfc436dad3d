"""Consumer lag from librdkafka's statistics (the `stats_cb` JSON): per topic, the records of this
consumer's partitions not yet handled, i.e. the high watermark minus the stored offset."""

from __future__ import annotations

import json
import logging

from t1lib.telemetry import KAFKA_CONSUMER_LAG

logger = logging.getLogger(__name__)

# librdkafka's internal "unassigned" partition, reported beside the real ones
UNASSIGNED_PARTITION = "-1"


def topic_lags(statistics: str) -> dict[str, int]:
    """Lag per topic summed over the partitions whose lag librdkafka knows (assigned, with a stored
    or committed offset); topics without any such partition are left out."""
    report = json.loads(statistics)
    lags: dict[str, int] = {}
    for topic, info in (report.get("topics") or {}).items():
        known = [
            _partition_lag(partition)
            for number, partition in (info.get("partitions") or {}).items()
            if number != UNASSIGNED_PARTITION
        ]
        values = [lag for lag in known if lag is not None]
        if values:
            lags[topic] = sum(values)
    return lags


def _partition_lag(partition: dict[str, object]) -> int | None:
    for field in ("consumer_lag_stored", "consumer_lag"):
        value = partition.get(field)
        if isinstance(value, int) and value >= 0:
            return value
    return None


def export_lag(group: str, statistics: str) -> None:
    """Set t1_kafka_consumer_lag{topic, group} from one statistics report (never raises: a report
    that cannot be read costs a metric update, not the consumer)."""
    try:
        lags = topic_lags(statistics)
    except (ValueError, AttributeError, TypeError) as error:
        logger.debug("unreadable librdkafka statistics: %r", error)
        return
    for topic, lag in lags.items():
        KAFKA_CONSUMER_LAG.labels(topic=topic, group=group).set(lag)
