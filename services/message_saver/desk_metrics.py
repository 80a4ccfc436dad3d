"""The support desk's business gauges: t1_tickets_open{status}, t1_oldest_waiting_customer_seconds and
t1_operator_open_tickets{operator}.

They are computed on a timer (App, every T1_DESK_METRICS_INTERVAL_S) from the lists' read model in Redis
(views.py: the sizes of the status views, the first member of the waiting views, the assigned tickets'
assignees), never from the store: FerretDB would scan the whole tickets collection for each."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from services.message_saver import domain
from t1lib.telemetry import OLDEST_WAITING_CUSTOMER_SECONDS, OPERATOR_OPEN_TICKETS, TICKETS_OPEN


@dataclass(frozen=True)
class DeskFigures:
    """What the views say now. `oldest_waiting_since_ms`: when the customer waiting longest began to
    wait (epoch ms), None when nobody waits."""

    open_by_status: Mapping[str, int]
    oldest_waiting_since_ms: int | None
    open_by_operator: Mapping[str, int]


def waiting_seconds(oldest_waiting_since_ms: int | None, now: datetime) -> float:
    """How long the longest waiting customer has waited; 0 when nobody waits (a clock a little behind
    the writer's does not make it negative)."""
    if oldest_waiting_since_ms is None:
        return 0.0
    return max(0.0, (domain.to_millis(now) - oldest_waiting_since_ms) / 1000)


@dataclass
class DeskGauges:
    """Shows figures in the gauges. An operator whose last ticket was closed or handed over stays at 0
    (a series that vanished would look like missing data)."""

    _operators: set[str] = field(default_factory=set)

    def show(self, figures: DeskFigures, now: datetime) -> None:
        for status in domain.ACTIVE_STATUSES:
            TICKETS_OPEN.labels(str(status)).set(figures.open_by_status.get(str(status), 0))
        OLDEST_WAITING_CUSTOMER_SECONDS.set(waiting_seconds(figures.oldest_waiting_since_ms, now))
        self._operators |= set(figures.open_by_operator)
        for operator in self._operators:
            OPERATOR_OPEN_TICKETS.labels(operator).set(figures.open_by_operator.get(operator, 0))
