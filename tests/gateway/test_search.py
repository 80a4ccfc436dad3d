"""GET /api/v1/search on the real gateway app, against TicketService served over gRPC from a real search
index (and a desk on a throw-away database): visibility by role, filters, paging, errors."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from gateway.core.config import Settings
from gateway.main import create_app
from services.message_saver.desk import TicketDesk
from services.message_saver.domain import SequenceClock
from services.message_saver.publisher import Publisher
from services.message_saver.repository import Repository
from services.message_saver.search import SearchIndex
from services.message_saver.servicer import SERVICE_NAME, TicketServicer
from t1.tickets.v1 import ticket_service_pb2_grpc as api_grpc
from t1lib.grpc.server import start_server
from t1lib.kafka.producer import EventProducer
from t1lib.stores import mongo_client
from tests.gateway.conftest import ADMIN_PASSWORD, bearer, login
from tests.message_saver.test_search import message_event, ticket, ticket_event
from tests.support.servers import LiveServer

pytestmark = pytest.mark.integration


@pytest.fixture
async def index(tmp_path: Path) -> AsyncIterator[SearchIndex]:
    search = SearchIndex(tmp_path / "search", heap_bytes=20_000_000)
    yield search
    search.close()


@pytest.fixture
async def tickets_address(
    index: SearchIndex, gateway_settings: Settings, producer: EventProducer
) -> AsyncIterator[str]:
    mongo = mongo_client(gateway_settings)
    database = f"ms_{uuid.uuid4().hex[:10]}"
    desk = TicketDesk(Repository(mongo[database]), Publisher(producer), SequenceClock())
    server, port = await start_server(
        "127.0.0.1:0",
        lambda server: api_grpc.add_TicketServiceServicer_to_server(TicketServicer(desk, index), server),
        [SERVICE_NAME],
        token=gateway_settings.service_token,
    )
    yield f"127.0.0.1:{port}"
    await server.stop(grace=None)
    await mongo.drop_database(database)
    await mongo.close()


@pytest.fixture
async def client(gateway_settings: Settings, tickets_address: str) -> AsyncIterator[httpx.AsyncClient]:
    settings = gateway_settings.model_copy(update={"tickets_grpc_addr": tickets_address})
    async with LiveServer(create_app(settings)) as server, httpx.AsyncClient(base_url=server.url) as http:
        yield http
    mongo = mongo_client(settings)
    await mongo.drop_database(settings.mongo_db)
    await mongo.close()


async def operator_headers(
    client: httpx.AsyncClient, admin: dict[str, str], name: str
) -> tuple[str, dict[str, str]]:
    created = await client.post(
        "/api/v1/operators", json={"username": name, "password": "пароль-оператора"}, headers=admin
    )
    assert created.status_code == 201, created.text
    return created.json()["id"], bearer(await login(client, name, "пароль-оператора"))


async def test_search_applies_visibility_filters_and_pages(
    client: httpx.AsyncClient, index: SearchIndex, admin_name: str
) -> None:
    admin = bearer(await login(client, admin_name, ADMIN_PASSWORD))
    olga_id, olga = await operator_headers(client, admin, f"olga{admin_name}")
    queued, mine, theirs = (
        ticket("queued"),
        ticket("mine", status="assigned", assignee=olga_id),
        ticket("theirs", status="assigned", assignee="someone-else"),
    )
    await index.index_batch(
        [
            message_event(queued, "m1", "Не могу оплатить ипотека картой"),
            message_event(mine, "m2", "", ocr="Платёж по ипотеке отклонён"),
            message_event(theirs, "m3", "Вопрос про ипотеку"),
            ticket_event(ticket("tagged", tags=["ипотечный"])),
        ]
    )

    response = await client.get("/api/v1/search", params={"q": "ипотеку"}, headers=olga)
    assert response.status_code == 200, response.text
    page = response.json()
    assert sorted(item["ticket"]["id"] for item in page["items"]) == ["mine", "queued"]
    by_id = {item["ticket"]["id"]: item for item in page["items"]}
    assert by_id["mine"]["matched_field"] == "ocr"
    assert by_id["mine"]["message_id"] == "m2"
    assert by_id["mine"]["ticket"]["assignee"] == olga_id
    snippet, ((start, end),) = by_id["queued"]["snippet"], by_id["queued"]["highlights"]
    assert snippet[start:end] == "ипотека"

    everything = await client.get("/api/v1/search", params={"q": "ипотеку"}, headers=admin)
    assert sorted(item["ticket"]["id"] for item in everything.json()["items"]) == ["mine", "queued", "theirs"]
    assigned = await client.get(
        "/api/v1/search", params={"q": "ипотеку", "status": "assigned"}, headers=admin
    )
    assert sorted(item["ticket"]["id"] for item in assigned.json()["items"]) == ["mine", "theirs"]

    seen: list[str] = []
    cursor: str | None = None
    while True:
        params = {"q": "ипотека", "limit": "1"} | ({"cursor": cursor} if cursor else {})
        step = (await client.get("/api/v1/search", params=params, headers=admin)).json()
        seen += [item["ticket"]["id"] for item in step["items"]]
        cursor = step["next_cursor"]
        if cursor is None:
            break
    assert sorted(seen) == ["mine", "queued", "theirs"]


async def test_search_rejects_bad_requests(client: httpx.AsyncClient, admin_name: str) -> None:
    admin = bearer(await login(client, admin_name, ADMIN_PASSWORD))
    assert (await client.get("/api/v1/search", params={"q": "карта"})).status_code == 401
    assert (await client.get("/api/v1/search", params={"q": ""}, headers=admin)).status_code == 422
    assert (await client.get("/api/v1/search", params={"q": "x" * 201}, headers=admin)).status_code == 422
    blank = await client.get("/api/v1/search", params={"q": "   "}, headers=admin)
    assert blank.status_code == 400
    assert "query" in blank.json()["detail"]
    token = await client.get("/api/v1/search", params={"q": "карта", "cursor": "!"}, headers=admin)
    assert token.status_code == 400
    odd = await client.get("/api/v1/search", params={"q": '"карта: [AND ('}, headers=admin)
    assert odd.status_code == 200
    assert odd.json() == {"items": [], "next_cursor": None}


async def test_search_unavailable_without_an_index(
    gateway_settings: Settings, producer: EventProducer, admin_name: str
) -> None:
    mongo = mongo_client(gateway_settings)
    desk = TicketDesk(Repository(mongo[f"ms_{uuid.uuid4().hex[:10]}"]), Publisher(producer), SequenceClock())
    server, port = await start_server(
        "127.0.0.1:0",
        lambda server: api_grpc.add_TicketServiceServicer_to_server(TicketServicer(desk), server),
        [SERVICE_NAME],
        token=gateway_settings.service_token,
    )
    settings = gateway_settings.model_copy(update={"tickets_grpc_addr": f"127.0.0.1:{port}"})
    try:
        async with LiveServer(create_app(settings)) as live, httpx.AsyncClient(base_url=live.url) as http:
            admin = bearer(await login(http, admin_name, ADMIN_PASSWORD))
            response = await http.get("/api/v1/search", params={"q": "карта"}, headers=admin)
            assert response.status_code == 503
    finally:
        await server.stop(grace=None)
        await mongo.drop_database(settings.mongo_db)
        await mongo.close()
