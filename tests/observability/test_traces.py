"""One trace per customer message and one per operator reply, across the services running as processes
and exporting to the local Jaeger; read back through Jaeger's HTTP query API by the trace id that the
console shows admins on each message."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from websockets.typing import Subprotocol

from infra.engines.jaeger import Jaeger
from t1lib.live_auth import offered_protocols
from tests.support.jaeger import Trace, get_trace
from tests.support.process_stack import Operator, ProcessStack
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

SERVICES = ["message_saver", "notifications", "bot", "gateway"]


@pytest.fixture
def stack(engines: dict[str, str], tmp_path: Path) -> Iterator[ProcessStack]:
    jaeger = Jaeger()
    if not jaeger.healthy():
        jaeger.start(restart_stale=False)
    tracing = {
        "T1_TRACING_ENDPOINT": jaeger.otlp_endpoint(),
        "T1_TRACE_UI_URL": jaeger.url(),
        "OTEL_BSP_SCHEDULE_DELAY": "200",  # export within a fraction of a second, not 5 s
    }
    with ProcessStack(SERVICES, extra_env=tracing, log_dir=tmp_path / "logs") as running:
        yield running
        print(running.logs())  # shown by pytest when the test failed


@pytest.fixture
async def jaeger_api() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=Jaeger().url(), timeout=10) as client:
        yield client


async def complete_trace(
    client: httpx.AsyncClient, trace_id: str, last: tuple[str, str], services: set[str]
) -> Trace:
    """The trace once its last hop (service, span name) and some span of each of `services` have been
    exported, and no span waits for its parent (each service exports on its own schedule). Waiting
    longer would not mend a broken propagation: its spans stay in other traces."""

    found: list[Trace] = []

    async def arrived() -> bool:
        trace = await get_trace(client, trace_id)
        if trace is None or not any((span.service, span.name) == last for span in trace.spans):
            return False
        found.append(trace)
        return services <= trace.services and not trace.orphans

    try:
        await eventually(arrived, timeout_s=30, what=f"{last} in trace {trace_id}")
    except pytest.fail.Exception:
        if not found:
            raise
        seen = found[-1]
        orphans = seen.describe(seen.orphans) or "none"
        pytest.fail(
            f"trace {trace_id} stayed incomplete: services {sorted(seen.services)}"
            f" (wanted {sorted(services)}), spans without their parent: {orphans}"
        )
    return found[-1]


async def messages(operator: Operator, ticket_id: str) -> list[dict[str, Any]]:
    response = await operator.api.get(f"/api/v1/tickets/{ticket_id}/messages")
    response.raise_for_status()
    return list(response.json()["items"])


def assert_one_tree(trace: Trace, root: tuple[str, str]) -> None:
    assert not trace.orphans, f"spans whose parent is not in the trace: {trace.describe(trace.orphans)}"
    assert [(span.service, span.name) for span in trace.roots] == [root], trace.describe(trace.roots)


async def test_a_customer_message_and_an_operator_reply_are_one_trace_each(
    stack: ProcessStack, jaeger_api: httpx.AsyncClient
) -> None:
    topic = stack.prefix  # span names carry the topics' real names
    admin = await stack.operator()
    alice = await admin.create_operator(f"alice{uuid.uuid4().hex[:6]}", "пароль-алисы-2026")
    customer = stack.customer()
    text = f"Не приходит СМС-код {uuid.uuid4().hex[:6]}"
    socket = await websockets.connect(
        stack.gateway_url.replace("http", "ws", 1) + "/api/v1/ws",
        subprotocols=[Subprotocol(protocol) for protocol in offered_protocols(admin.token)],
    )
    try:
        await customer.says(text)
        while text not in str(await socket.recv()):  # the message reached the admin's console
            pass
        ticket = await admin.ticket_of(customer.chat_id)
        (said,) = await messages(admin, ticket["id"])
        assert said["trace_id"], "the stored customer message names no trace"
        assert [message["trace_id"] for message in await messages(alice, ticket["id"])] == [None], (
            "admins only"
        )

        customer_side = {"bot", "message_saver", "notifications"}
        trace = await complete_trace(
            jaeger_api, said["trace_id"], ("notifications", "websocket send"), customer_side
        )
        assert customer_side <= trace.services, trace.services
        assert_one_tree(trace, ("bot", "telegram update"))
        hops = trace.ancestry(trace.find("notifications", "websocket send"))
        for hop in [
            ("notifications", f"process {topic}websocket_notifications"),
            ("message_saver", f"send {topic}websocket_notifications"),
            ("message_saver", f"process {topic}ticket_created"),
            ("bot", f"send {topic}ticket_created"),
        ]:
            assert hop in hops, f"{hop} is not an ancestor of the WebSocket send: {hops}"
        stored = [span for span in trace.spans if span.service == "message_saver" and span.kind == "client"]
        assert stored, f"no MongoDB call in the customer message's trace: {trace.describe()}"

        await admin.take(ticket["id"])
        reply = await admin.reply(ticket["id"], "Проверьте, пожалуйста, номер телефона в профиле")
        assert reply["trace_id"], "the stored reply names no trace"
        await customer.bot_sent(1)
        operator_side = {"gateway", "message_saver", "bot"}
        trace = await complete_trace(
            jaeger_api, reply["trace_id"], ("bot", f"process {topic}operator_replies"), operator_side
        )
        assert operator_side <= trace.services, trace.services
        assert_one_tree(trace, ("gateway", "POST /api/v1/tickets/{ticket_id}/messages"))
        telegram_calls = [span for span in trace.spans if span.service == "bot" and span.kind == "client"]
        assert telegram_calls, f"the bot's sendMessage is not in the reply's trace: {trace.describe()}"
        hops = trace.ancestry(telegram_calls[0])
        for hop in [
            ("bot", f"process {topic}operator_replies"),
            ("message_saver", f"send {topic}operator_replies"),
            ("gateway", "POST /api/v1/tickets/{ticket_id}/messages"),
        ]:
            assert hop in hops, f"{hop} is not an ancestor of the Telegram call: {hops}"
        assert any(span.service == "message_saver" and span.kind == "server" for span in trace.spans)

        settings = (await admin.api.get("/api/v1/console/settings")).json()
        assert settings["trace_ui_url"] == Jaeger().url()
        assert (await alice.api.get("/api/v1/console/settings")).json()["trace_ui_url"] is None
    finally:
        await socket.close()
        await customer.close()
        await admin.close()
        await alice.close()
