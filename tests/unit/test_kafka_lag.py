"""Reading the consumer lag out of librdkafka's statistics report."""

from __future__ import annotations

import json

from prometheus_client import REGISTRY as METRICS

from t1lib.kafka.lag import export_lag, partition_lags, topic_lags


def report(partitions: dict[str, dict[str, int]], name: str = "c#1") -> str:
    return json.dumps({"name": name, "type": "consumer", "topics": {"tickets": {"partitions": partitions}}})


def lag(group: str, partition: str) -> float | None:
    labels = {"topic": "tickets", "group": group, "partition": partition}
    return METRICS.get_sample_value("t1_kafka_consumer_lag", labels)


STATISTICS = report(
    {
        "0": {"consumer_lag_stored": 7, "consumer_lag": 9},
        "1": {"consumer_lag_stored": -1, "consumer_lag": 3},  # nothing stored yet: the committed lag
        "2": {"consumer_lag_stored": -1, "consumer_lag": -1},  # not assigned here
        "-1": {"consumer_lag_stored": 100, "consumer_lag": 100},  # librdkafka's internal partition
    }
)


def test_lag_per_partition_librdkafka_knows() -> None:
    assert partition_lags(STATISTICS) == {("tickets", "0"): 7, ("tickets", "1"): 3}


def test_lag_is_summed_over_the_partitions_librdkafka_knows() -> None:
    assert topic_lags(STATISTICS) == {"tickets": 10}


def test_a_topic_without_a_known_lag_is_left_out() -> None:
    assert topic_lags(report({"0": {"consumer_lag_stored": -1, "consumer_lag": -1}})) == {}
    assert topic_lags(json.dumps({"name": "c#1", "topics": {}})) == {}


def test_export_sets_the_gauge_per_partition_and_survives_a_report_it_cannot_read() -> None:
    export_lag("lag-test", report({"0": {"consumer_lag_stored": 4}, "1": {"consumer_lag_stored": 2}}))
    assert (lag("lag-test", "0"), lag("lag-test", "1")) == (4, 2)
    export_lag("lag-test", "not json")
    export_lag("lag-test", json.dumps({"topics": {"tickets": {"partitions": "odd"}}}))
    assert (lag("lag-test", "0"), lag("lag-test", "1")) == (4, 2)


def test_a_partition_no_longer_reported_loses_its_series_unless_another_consumer_has_it() -> None:
    export_lag("lag-moves", report({"0": {"consumer_lag_stored": 4}, "1": {"consumer_lag_stored": 2}}))
    export_lag("lag-moves", report({"0": {"consumer_lag_stored": 1}}))  # partition 1 revoked
    assert (lag("lag-moves", "0"), lag("lag-moves", "1")) == (1, None)
    # a second consumer of the group took partition 1; the first one's next report leaves it alone
    export_lag("lag-moves", report({"1": {"consumer_lag_stored": 5}}, name="c#2"))
    export_lag("lag-moves", report({"0": {"consumer_lag_stored": 0}}))
    assert (lag("lag-moves", "0"), lag("lag-moves", "1")) == (0, 5)
