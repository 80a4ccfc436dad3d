"""Reading the consumer lag out of librdkafka's statistics report."""

from __future__ import annotations

import json

from prometheus_client import REGISTRY as METRICS

from t1lib.kafka.lag import export_lag, topic_lags


def report(partitions: dict[str, dict[str, int]]) -> str:
    return json.dumps({"name": "c#1", "type": "consumer", "topics": {"tickets": {"partitions": partitions}}})


def test_lag_is_summed_over_the_partitions_librdkafka_knows() -> None:
    statistics = report(
        {
            "0": {"consumer_lag_stored": 7, "consumer_lag": 9},
            "1": {"consumer_lag_stored": -1, "consumer_lag": 3},  # nothing stored yet: the committed lag
            "2": {"consumer_lag_stored": -1, "consumer_lag": -1},  # not assigned here
            "-1": {"consumer_lag_stored": 100, "consumer_lag": 100},  # librdkafka's internal partition
        }
    )
    assert topic_lags(statistics) == {"tickets": 10}


def test_a_topic_without_a_known_lag_is_left_out() -> None:
    assert topic_lags(report({"0": {"consumer_lag_stored": -1, "consumer_lag": -1}})) == {}
    assert topic_lags(json.dumps({"name": "c#1", "topics": {}})) == {}


def test_export_sets_the_gauge_and_survives_a_report_it_cannot_read() -> None:
    export_lag("lag-test", report({"0": {"consumer_lag_stored": 4}}))
    labels = {"topic": "tickets", "group": "lag-test"}
    assert METRICS.get_sample_value("t1_kafka_consumer_lag", labels) == 4
    export_lag("lag-test", "not json")
    export_lag("lag-test", json.dumps({"topics": {"tickets": {"partitions": "odd"}}}))
    assert METRICS.get_sample_value("t1_kafka_consumer_lag", labels) == 4
