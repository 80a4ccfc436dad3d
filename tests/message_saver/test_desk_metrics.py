"""The desk's gauges on the real engines: message_saver reads them from the lists' read model in Redis on
a timer; they follow tickets opened (Kafka), taken, answered and closed (gRPC)."""

from __future__ import annotations

import uuid

import pytest
from prometheus_client import REGISTRY as METRICS

from t1.tickets.v1 import ticket_service_pb2 as api
from tests.message_saver.conftest import Harness
from tests.message_saver.test_waiting import customer_writes
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


def gauges(operator: str) -> dict[str, float | None]:
    return {
        "open": METRICS.get_sample_value("t1_tickets_open", {"status": "open"}),
        "assigned": METRICS.get_sample_value("t1_tickets_open", {"status": "assigned"}),
        "operator": METRICS.get_sample_value("t1_operator_open_tickets", {"operator": operator}),
    }


def oldest_wait() -> float:
    return METRICS.get_sample_value("t1_oldest_waiting_customer_seconds") or 0.0


async def test_gauges_follow_tickets_opened_taken_answered_and_closed(harness: Harness) -> None:
    harness.settings.desk_metrics_interval_s = 0.1
    app = await harness.start_app()
    stub = harness.stub(app)
    olga = f"оператор-ольга-{uuid.uuid4().hex[:6]}"

    async def shows(what: str, **expected: float | None) -> None:
        await eventually(lambda: gauges(olga) == {**gauges(olga), **expected}, what=f"{what}: {expected}")

    first = await customer_writes(harness, stub, 7001, 1)
    second = await customer_writes(harness, stub, 7002, 1)
    await shows("two customers wait", open=2, assigned=0)
    await eventually(lambda: oldest_wait() > 0, what="the oldest wait above 0")

    await stub.TakeTicket(api.TakeTicketRequest(ticket_id=first, operator_id=olga))
    await shows("one taken", open=1, assigned=1, operator=1)

    for ticket_id in (first, second):
        await stub.TakeTicket(api.TakeTicketRequest(ticket_id=ticket_id, operator_id=olga))
        await stub.AddOperatorMessage(
            api.AddOperatorMessageRequest(ticket_id=ticket_id, operator_id=olga, text="Уже смотрим")
        )
    await shows("both taken and answered", open=0, assigned=2, operator=2)
    await eventually(lambda: oldest_wait() == 0, what="nobody waiting")

    await stub.CloseTicket(api.CloseTicketRequest(ticket_id=first, operator_id=olga))
    await shows("one closed", open=0, assigned=1, operator=1)
    await customer_writes(harness, stub, 7002, 2, second)  # the customer writes again: waits again
    await eventually(lambda: oldest_wait() > 0, what="a customer waiting again")
