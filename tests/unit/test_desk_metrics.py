"""The desk's gauges from the read model's figures (services/message_saver/desk_metrics.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from prometheus_client import REGISTRY as METRICS

from services.message_saver import domain
from services.message_saver.desk_metrics import DeskFigures, DeskGauges, waiting_seconds

NOW = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)


def test_waiting_seconds_is_zero_when_nobody_waits_and_never_negative() -> None:
    assert waiting_seconds(None, NOW) == 0
    assert waiting_seconds(domain.to_millis(NOW - timedelta(minutes=16, milliseconds=500)), NOW) == 960.5
    assert waiting_seconds(domain.to_millis(NOW + timedelta(seconds=2)), NOW) == 0  # the writer's clock ahead


def test_gauges_show_the_figures_and_an_operator_without_tickets_goes_to_zero() -> None:
    gauges = DeskGauges()
    anna, boris = "desk-unit-анна", "desk-unit-борис"
    gauges.show(
        DeskFigures(
            {"open": 3, "assigned": 2}, domain.to_millis(NOW - timedelta(minutes=5)), {anna: 1, boris: 1}
        ),
        NOW,
    )
    assert METRICS.get_sample_value("t1_tickets_open", {"status": "open"}) == 3
    assert METRICS.get_sample_value("t1_tickets_open", {"status": "assigned"}) == 2
    assert METRICS.get_sample_value("t1_oldest_waiting_customer_seconds") == 300
    gauges.show(DeskFigures({"assigned": 1}, None, {anna: 1}), NOW)
    assert METRICS.get_sample_value("t1_tickets_open", {"status": "open"}) == 0
    assert METRICS.get_sample_value("t1_oldest_waiting_customer_seconds") == 0
    assert METRICS.get_sample_value("t1_operator_open_tickets", {"operator": anna}) == 1
    assert METRICS.get_sample_value("t1_operator_open_tickets", {"operator": boris}) == 0
