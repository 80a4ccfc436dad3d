"""Consumer lag from librdkafka's statistics (the `stats_cb` JSON): per partition of this consumer, the
records not yet handled, i.e. the high watermark minus the stored offset."""

from __future__ import annotations

import contextlib
import json
import logging
import threading
from typing import Any

from t1lib.telemetry import KAFKA_CONSUMER_LAG

logger = logging.getLogger(__name__)

# librdkafka's internal "unassigned" partition, reported beside the real ones
UNASSIGNED_PARTITION = "-1"

Partition = tuple[str, str]  # (topic, partition number)


def partition_lags(statistics: str) -> dict[Partition, int]:
    """Lag per (topic, partition) whose lag librdkafka knows (assigned, with a stored or committed
    offset); other partitions are left out."""
    return _lags(json.loads(statistics))


def _lags(report: dict[str, Any]) -> dict[Partition, int]:
    lags: dict[Partition, int] = {}
    for topic, info in (report.get("topics") or {}).items():
        for number, partition in (info.get("partitions") or {}).items():
            if number == UNASSIGNED_PARTITION:
                continue
            lag = _partition_lag(partition)
            if lag is not None:
                lags[(topic, str(number))] = lag
    return lags


def topic_lags(statistics: str) -> dict[str, int]:
    """Lag per topic summed over the partitions whose lag librdkafka knows."""
    lags: dict[str, int] = {}
    for (topic, _partition), lag in partition_lags(statistics).items():
        lags[topic] = lags.get(topic, 0) + lag
    return lags


def _partition_lag(partition: dict[str, object]) -> int | None:
    for field in ("consumer_lag_stored", "consumer_lag"):
        value = partition.get(field)
        if isinstance(value, int) and value >= 0:
            return value
    return None


# The partitions each consumer (group, librdkafka client name) reported last.
_exported: dict[tuple[str, str], set[Partition]] = {}
_exported_lock = threading.Lock()


def export_lag(group: str, statistics: str) -> None:
    """Set t1_kafka_consumer_lag{topic, group, partition} from one statistics report; a partition this
    consumer no longer reports (revoked) loses its series. Never raises: a report that cannot be read
    costs a metric update, not the consumer."""
    try:
        report = json.loads(statistics)
        lags = _lags(report)
        consumer = (group, str(report.get("name", "")))
    except (ValueError, AttributeError, TypeError) as error:
        logger.debug("unreadable librdkafka statistics: %r", error)
        return
    with _exported_lock:
        # another consumer of the group in this process (tests run several) may report it now
        others: set[Partition] = set()
        for key, parts in _exported.items():
            if key[0] == group and key != consumer:
                others |= parts
        for topic, partition in _exported.get(consumer, set()) - lags.keys() - others:
            with contextlib.suppress(KeyError):
                KAFKA_CONSUMER_LAG.remove(topic, group, partition)
        _exported[consumer] = set(lags)
    for (topic, partition), lag in lags.items():
        KAFKA_CONSUMER_LAG.labels(topic=topic, group=group, partition=partition).set(lag)
