"""Every Prometheus query of every dashboard (deploy/grafana/dashboards) answers with data after real traffic:
the services run as processes (tests/support/process_stack.py), the local Prometheus scrapes them, a
customer writes, an operator answers and closes, the customer rates, an image goes through OCR and a broken
record goes to a DLQ. A query that errors or returns no series fails the test, named with the metrics it
found nothing of."""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import websockets
from confluent_kafka import Producer
from websockets.typing import Subprotocol

from t1lib.live_auth import offered_protocols
from tests.observability.dashboards import Target, prometheus_targets, substitute
from tests.support.images import png
from tests.support.process_stack import Operator, ProcessStack, prometheus
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

SERVICES = ["message_saver", "notifications", "bot", "summarizer", "stats", "gateway"]
# Twice the local scrape interval and more: a rate over it has two samples once a series was scraped twice.
RATE_WINDOW = "30s"
# After the traffic: enough for a few scrapes and the consumers' lag statistics (every 5 s).
QUERIES_TIMEOUT_S = 45
METRIC = re.compile(r"\b(t1_[a-z0-9_]+?|up|process_[a-z_]+?)(?:_bucket|_count|_sum)?\s*\{")


@dataclass
class Answer:
    error: str = ""
    series: int = 0


class PrometheusApi:
    def __init__(self, client: httpx.AsyncClient) -> None:
        self.client = client

    async def query(self, expr: str) -> Answer:
        response = await self.client.get("/api/v1/query", params={"query": expr})
        body = response.json()
        if response.status_code != 200 or body.get("status") != "success":
            return Answer(error=f"{response.status_code}: {body.get('error', response.text)}")
        return Answer(series=len(body["data"]["result"]))


@pytest.fixture
def stack(engines: dict[str, str], tmp_path: Path) -> Iterator[ProcessStack]:
    if not prometheus().healthy():  # running: whichever checkout started it, it reads the same target files
        prometheus().start(restart_stale=False)
    with ProcessStack(SERVICES, log_dir=tmp_path / "logs") as running:
        yield running
        print(running.logs())  # shown by pytest when the test failed


@pytest.fixture
async def prom() -> AsyncIterator[PrometheusApi]:
    async with httpx.AsyncClient(base_url=prometheus().url(), timeout=10) as client:
        yield PrometheusApi(client)


async def traffic(stack: ProcessStack, admin: Operator, alice: Operator) -> None:
    """Customer 1 is answered, closed and rates; customer 2 is answered and left open (alice's load);
    customer 3 waits with a photo (the oldest waiting customer, OCR); a broken record goes to the DLQ."""
    answered, open_, waiting = (stack.customer() for _ in range(3))
    try:
        await answered.says("Здравствуйте, не проходит оплата картой в магазине")
        await open_.says("Как перевыпустить карту?")
        await waiting.says("Не могу войти в мобильный банк")
        await waiting.sends_photo("screen.png", png(64, 32), caption="вот ошибка")
        ticket = await alice.ticket_of(answered.chat_id)
        await alice.take(ticket["id"])
        await alice.reply(ticket["id"], "Проверьте, пожалуйста, лимиты по карте")
        await alice.close_ticket(ticket["id"])
        second = await alice.ticket_of(open_.chat_id)
        await alice.take(second["id"])
        await alice.reply(second["id"], "Закажите перевыпуск в приложении")
        sent = await answered.bot_sent(2)
        await answered.press(sent[-1], "5")
        await admin.ticket_of(waiting.chat_id)
    finally:
        for customer in (answered, open_, waiting):
            await customer.close()
    dead_letter(stack)


def dead_letter(stack: ProcessStack) -> None:
    """A record message_saver cannot decode: it goes to ticket_created.dlq."""
    producer = Producer({"bootstrap.servers": stack.engine_env["T1_KAFKA_BOOTSTRAP"]})
    producer.produce(stack.prefix + "ticket_created", key=b"broken", value=b"\xff\xff\xff not protobuf")
    assert producer.flush(10) == 0


def metrics_of(expr: str) -> set[str]:
    return set(METRIC.findall(expr))


async def failures(prom: PrometheusApi, queries: dict[Target, str]) -> dict[Target, str]:
    """Target -> why its query failed (error or no series), for those that failed."""
    failed: dict[Target, str] = {}
    for target, expr in queries.items():
        answer = await prom.query(expr)
        if answer.error:
            failed[target] = f"error {answer.error}"
        elif not answer.series:
            failed[target] = "no series"
    return failed


async def missing_metrics(prom: PrometheusApi, failed: dict[Target, str], instances: str) -> set[str]:
    names = {name for target in failed for name in metrics_of(target.expr)}
    missing = set()
    for name in sorted(names):
        answer = await prom.query(f'count({{__name__=~"{name}(_bucket)?", instance=~"{instances}"}})')
        if not answer.series:
            missing.add(name)
    return missing


async def test_every_dashboard_query_has_data_after_real_traffic(
    stack: ProcessStack, prom: PrometheusApi
) -> None:
    started = time.monotonic()
    admin = await stack.operator()
    alice = await admin.create_operator("alice", "пароль-алисы-2026")
    socket = await websockets.connect(
        stack.gateway_url.replace("http", "ws", 1) + "/api/v1/ws",
        subprotocols=[Subprotocol(protocol) for protocol in offered_protocols(alice.token)],
    )
    try:
        await traffic(stack, admin, alice)
        variables = {
            "instance": stack.instances(),
            "service": "|".join(SERVICES),
            "__rate_interval": RATE_WINDOW,
            "__interval": "15s",
            "__range": "5m",
        }
        queries = {target: substitute(target.expr, variables) for target in prometheus_targets()}
        assert len(queries) > 40
        failed: dict[Target, str] = dict.fromkeys(queries, "not run")
        asked = [0.0]

        async def all_answer() -> bool:
            """Asks again only what failed so far (a series, once scraped, stays within the windows), at
            most once a second: Prometheus scrapes every 5 s."""
            if time.monotonic() - asked[0] < 1:
                return False
            asked[0] = time.monotonic()
            still = await failures(prom, {target: queries[target] for target in failed})
            failed.clear()
            failed.update(still)
            return not failed

        with contextlib.suppress(pytest.fail.Exception):  # the failure below names each query
            await eventually(all_answer, QUERIES_TIMEOUT_S, "every dashboard query to have data")
    finally:
        await socket.close()
        await alice.close()
        await admin.close()
    if failed:
        missing = await missing_metrics(prom, failed, stack.instances())
        lines = [f"  {target.name}: {why}\n      {queries[target]}" for target, why in failed.items()]
        pytest.fail(
            f"{len(failed)} of {len(queries)} dashboard queries have no data "
            f"(after {time.monotonic() - started:.0f} s); metrics with no series at all: {sorted(missing)}\n"
            + "\n".join(lines)
        )
