"""The queue's urgency on the real gateway app, against TicketService over gRPC with its read model in Redis
(and customer messages stored by message_saver's own intake, on MongoDB's conditional-update path): the
waiting order, waiting_since in the tickets, the tab counters by role, the SLA settings, and bad input."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from gateway.core.config import Settings
from gateway.main import create_app
from services.message_saver.desk import TicketDesk
from services.message_saver.domain import SequenceClock
from services.message_saver.intake import Intake
from services.message_saver.publisher import Publisher
from services.message_saver.repository import Repository
from services.message_saver.servicer import SERVICE_NAME, TicketServicer
from services.message_saver.views import TicketViews
from t1.tickets.v1 import ticket_service_pb2_grpc as api_grpc
from t1lib.grpc.server import start_server
from t1lib.kafka.producer import EventProducer
from t1lib.stores import mongo_client, redis_client
from tests.gateway.conftest import ADMIN_PASSWORD, bearer, login
from tests.message_saver.conftest import customer_message
from tests.support.servers import LiveServer

pytestmark = pytest.mark.integration


@dataclass
class Desk:
    http: httpx.AsyncClient
    intake: Intake
    repository: Repository


@pytest.fixture
async def desk(gateway_settings: Settings, producer: EventProducer) -> AsyncIterator[Desk]:
    mongo = mongo_client(gateway_settings)
    database = f"ms_{uuid.uuid4().hex[:10]}"
    redis = redis_client(gateway_settings, decode_responses=False)
    prefix = f"t1:test-{uuid.uuid4().hex[:10]}:"
    repository = Repository(mongo[database], views=TicketViews(redis, prefix))
    publisher, clock = Publisher(producer), SequenceClock()
    servicer = TicketServicer(TicketDesk(repository, publisher, clock))
    server, port = await start_server(
        "127.0.0.1:0",
        lambda server: api_grpc.add_TicketServiceServicer_to_server(servicer, server),
        [SERVICE_NAME],
        token=gateway_settings.service_token,
    )
    settings = gateway_settings.model_copy(update={"tickets_grpc_addr": f"127.0.0.1:{port}"})
    try:
        async with LiveServer(create_app(settings)) as live, httpx.AsyncClient(base_url=live.url) as http:
            yield Desk(http, Intake(repository, publisher, clock), repository)
    finally:
        await server.stop(grace=None)
        keys = [key async for key in redis.scan_iter(match=prefix + "*")]
        if keys:
            await redis.delete(*keys)
        await redis.aclose()
        await mongo.drop_database(database)
        await mongo.drop_database(settings.mongo_db)
        await mongo.close()


async def opened(desk: Desk, chat_id: int, number: int = 1) -> str:
    """The customer's message stored (the ticket's id)."""
    await desk.intake.customer_message(
        customer_message(chat_id, number, f"Вопрос {number} из чата {chat_id}")
    )
    ticket_id = await desk.repository.active_ticket_id(chat_id)
    assert ticket_id is not None
    return ticket_id


async def ids(http: httpx.AsyncClient, headers: dict[str, str], **params: str) -> list[str]:
    """Every page of GET /tickets, one ticket a page."""
    found: list[str] = []
    cursor: str | None = None
    while True:
        query = {**params, "limit": "1"} | ({"cursor": cursor} if cursor else {})
        response = await http.get("/api/v1/tickets", params=query, headers=headers)
        assert response.status_code == 200, response.text
        page = response.json()
        found += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            return found


async def test_the_queue_by_waiting_time_and_the_tab_counters(desk: Desk, admin_name: str) -> None:
    http = desk.http
    admin = bearer(await login(http, admin_name, ADMIN_PASSWORD))
    created = await http.post(
        "/api/v1/operators",
        json={"username": f"olga{admin_name}", "password": "пароль-оператора"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    olga = bearer(await login(http, f"olga{admin_name}", "пароль-оператора"))

    a, b, c = [await opened(desk, chat) for chat in (9301, 9302, 9303)]
    replied = await http.post(f"/api/v1/tickets/{a}/messages", json={"text": "Уже смотрим"}, headers=admin)
    assert replied.status_code == 201, replied.text
    await opened(desk, 9303, 2)  # c's customer writes again: still waiting since the first message

    assert await ids(http, olga, status="open") == [c, a, b]  # newest activity first, as before
    assert await ids(http, olga, status="open", order="waiting") == [b, c, a]
    listed = (
        await http.get("/api/v1/tickets", params={"status": "open", "order": "waiting"}, headers=olga)
    ).json()
    by_id = {item["id"]: item for item in listed["items"]}
    assert by_id[a]["waiting_since"] is None
    assert by_id[a]["last_customer_message_at"] is not None
    assert by_id[b]["waiting_since"] == by_id[b]["last_customer_message_at"]
    assert by_id[c]["waiting_since"] < by_id[c]["last_customer_message_at"]

    counts = await http.get("/api/v1/tickets/counts", headers=olga)
    assert counts.status_code == 200, counts.text
    assert counts.json() == {"queue": 3, "queue_waiting": 2, "mine": 0, "mine_waiting": 0, "all_active": None}
    taken = await http.post(f"/api/v1/tickets/{b}/take", headers=olga)
    assert taken.status_code == 200, taken.text
    assert (await http.get("/api/v1/tickets/counts", headers=olga)).json() == {
        "queue": 2,
        "queue_waiting": 1,
        "mine": 1,
        "mine_waiting": 1,
        "all_active": None,
    }
    assert (await http.get("/api/v1/tickets/counts", headers=admin)).json()["all_active"] == 3
    assert await ids(http, olga, status="assigned", assignee="me", order="waiting") == [b]


async def test_urgency_routes_refuse_bad_input(desk: Desk, admin_name: str) -> None:
    http = desk.http
    admin = bearer(await login(http, admin_name, ADMIN_PASSWORD))
    await opened(desk, 9401)
    await opened(desk, 9402)
    assert (await http.get("/api/v1/tickets", params={"order": "oldest"}, headers=admin)).status_code == 422
    both = await http.get("/api/v1/tickets", params={"order": "waiting", "q": "вопрос"}, headers=admin)
    assert both.status_code == 400
    waiting_page = await http.get("/api/v1/tickets", params={"order": "waiting", "limit": "1"}, headers=admin)
    cursor = waiting_page.json()["next_cursor"]
    assert cursor
    other = await http.get("/api/v1/tickets", params={"cursor": cursor}, headers=admin)
    assert other.status_code == 400  # a cursor of the waiting order in the activity order
    assert (await http.get("/api/v1/tickets/counts")).status_code == 401
    assert (await http.get("/api/v1/console/settings")).status_code == 401


async def test_the_console_gets_the_sla_thresholds(gateway: httpx.AsyncClient, admin_name: str) -> None:
    admin = bearer(await login(gateway, admin_name, ADMIN_PASSWORD))
    response = await gateway.get("/api/v1/console/settings", headers=admin)
    assert response.status_code == 200, response.text
    assert response.json() == {"sla_warning_s": 300, "sla_breach_s": 900, "trace_ui_url": None}
