"""GET /api/v1/stats/* on the real gateway app, against the StatsService over gRPC on a desk of real
facts in MongoDB: an operator sees only their own figures (403 for another's), an admin everyone's;
bad days are refused with 4xx."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import httpx
import pytest

from gateway.core.config import Settings
from gateway.main import create_app
from services.stats.app import SERVICE_NAME
from services.stats.desk import FACTS_COLLECTION, StatsDesk
from services.stats.facts import MessageFact, Review, TicketSnapshot
from services.stats.servicer import StatsServicer
from t1.stats.v1 import stats_service_pb2_grpc as api_grpc
from t1lib.grpc.server import start_server
from t1lib.stores import mongo_client
from tests.gateway.conftest import ADMIN_PASSWORD, bearer, login
from tests.support.servers import LiveServer

pytestmark = pytest.mark.integration

T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
DAY = "2026-11-02"


def handled(ticket_id: str, operator_id: str, score: int) -> list[TicketSnapshot | MessageFact | Review]:
    """Opened at T0, answered after 5 minutes, closed after an hour, rated."""
    closed = T0 + timedelta(hours=1)
    return [
        TicketSnapshot(ticket_id, T0, f"{ticket_id}:open", T0, None, "", "Карты"),
        MessageFact(ticket_id, f"{ticket_id}:1", T0, from_customer=True),
        MessageFact(ticket_id, f"{ticket_id}:2", T0 + timedelta(minutes=5), from_customer=False),
        TicketSnapshot(ticket_id, closed, f"{ticket_id}:closed", T0, closed, operator_id, "Карты"),
        Review(ticket_id, f"{ticket_id}:review", operator_id, score, "", closed + timedelta(minutes=1)),
    ]


@pytest.fixture
async def stats_gateway(gateway_settings: Settings) -> AsyncIterator[tuple[httpx.AsyncClient, StatsDesk]]:
    mongo = mongo_client(gateway_settings)
    database = f"stats_{uuid.uuid4().hex[:10]}"
    desk = StatsDesk(mongo[database][FACTS_COLLECTION], ZoneInfo("Europe/Minsk"))
    server, port = await start_server(
        "127.0.0.1:0",
        lambda s: api_grpc.add_StatsServiceServicer_to_server(StatsServicer(desk), s),
        [SERVICE_NAME],
        token=gateway_settings.service_token,
    )
    settings = gateway_settings.model_copy(update={"stats_grpc_addr": f"127.0.0.1:{port}"})
    try:
        async with LiveServer(create_app(settings)) as live, httpx.AsyncClient(base_url=live.url) as client:
            yield client, desk
    finally:
        await server.stop(None)
        await mongo.drop_database(database)
        await mongo.drop_database(gateway_settings.mongo_db)
        await mongo.close()


async def test_operators_see_their_own_figures_and_admins_everyones(
    stats_gateway: tuple[httpx.AsyncClient, StatsDesk], admin_name: str
) -> None:
    client, desk = stats_gateway
    admin = bearer(await login(client, admin_name, ADMIN_PASSWORD))
    created = await client.post(
        "/api/v1/operators",
        json={"username": "anna", "password": "пароль-анны-1", "display_name": "Анна"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    anna_id = created.json()["id"]
    await desk.apply([*handled("t-anna", anna_id, 5), *handled("t-boris", "op-boris", 2)])
    anna = bearer(await login(client, "anna", "пароль-анны-1"))
    days = {"from": DAY, "to": DAY}

    everyone = (await client.get("/api/v1/stats/summary", params=days, headers=admin)).json()
    assert (everyone["tickets_created"], everyone["tickets_closed"], everyone["ratings_count"]) == (2, 2, 2)
    assert everyone["csat_average"] == 3.5
    assert everyone["csat_distribution"] == {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}
    assert everyone["first_response_p50_s"] == pytest.approx(300, rel=0.05)
    assert everyone["time_zone"] == "Europe/Minsk"

    own = (await client.get("/api/v1/stats/summary", params=days, headers=anna)).json()
    assert (own["tickets_closed"], own["csat_average"], own["rating_response_rate"]) == (1, 5.0, 1.0)
    refused = await client.get(
        "/api/v1/stats/summary", params={**days, "operator_id": "op-boris"}, headers=anna
    )
    assert refused.status_code == 403
    boris = (
        await client.get("/api/v1/stats/summary", params={**days, "operator_id": "op-boris"}, headers=admin)
    ).json()
    assert boris["csat_average"] == 2.0

    rows = (await client.get("/api/v1/stats/operators", params=days, headers=admin)).json()["items"]
    assert sorted((row["operator_id"], row["name"], row["ratings_count"]) for row in rows) == sorted(
        [(anna_id, "Анна", 1), ("op-boris", "", 1)]
    )
    only_own = (await client.get("/api/v1/stats/operators", params=days, headers=anna)).json()["items"]
    assert [row["operator_id"] for row in only_own] == [anna_id]

    series = await client.get(
        "/api/v1/stats/timeseries",
        params={"from": "2026-11-01", "to": DAY, "metric": "tickets_closed"},
        headers=admin,
    )
    assert series.status_code == 200, series.text
    assert [(point["day"], point["value"]) for point in series.json()["points"]] == [
        ("2026-11-01", 0.0),
        (DAY, 2.0),
    ]


async def test_bad_days_and_ranges_are_refused_with_a_message(
    stats_gateway: tuple[httpx.AsyncClient, StatsDesk], admin_name: str
) -> None:
    client, _desk = stats_gateway
    admin = bearer(await login(client, admin_name, ADMIN_PASSWORD))
    not_a_day = await client.get("/api/v1/stats/summary", params={"from": "02.11.2026"}, headers=admin)
    assert not_a_day.status_code == 422
    backwards = await client.get(
        "/api/v1/stats/summary", params={"from": DAY, "to": "2026-11-01"}, headers=admin
    )
    assert backwards.status_code == 400
    assert backwards.json()["detail"]
    too_long = await client.get(
        "/api/v1/stats/summary", params={"from": "2024-01-01", "to": DAY}, headers=admin
    )
    assert too_long.status_code == 400
    unknown_metric = await client.get("/api/v1/stats/timeseries", params={"metric": "nope"}, headers=admin)
    assert unknown_metric.status_code == 422
    long_category = await client.get("/api/v1/stats/daily", params={"category": "к" * 201}, headers=admin)
    assert long_category.status_code == 422
    anonymous = await client.get("/api/v1/stats/summary")
    assert anonymous.status_code == 401


async def test_category_rows_daily_figures_and_the_unassigned_row(
    stats_gateway: tuple[httpx.AsyncClient, StatsDesk], admin_name: str
) -> None:
    client, desk = stats_gateway
    admin = bearer(await login(client, admin_name, ADMIN_PASSWORD))
    created = await client.post(
        "/api/v1/operators",
        json={"username": "vera", "password": "пароль-веры-1", "display_name": "Вера"},
        headers=admin,
    )
    vera_id = created.json()["id"]
    waiting = TicketSnapshot("t-waiting", T0, "t-waiting:open", T0, None, "", "")
    await desk.apply([*handled("t-vera", vera_id, 4), *handled("t-gleb", "op-gleb", 1), waiting])
    vera = bearer(await login(client, "vera", "пароль-веры-1"))
    days = {"from": DAY, "to": DAY}

    rows = (await client.get("/api/v1/stats/operators", params=days, headers=admin)).json()["items"]
    by_operator = {row["operator_id"]: (row["tickets_created"], row["backlog"]) for row in rows}
    assert by_operator == {vera_id: (1, 0), "op-gleb": (1, 0), "": (1, 1)}

    categories = (await client.get("/api/v1/stats/categories", params=days, headers=admin)).json()
    assert {row["category"]: row["tickets_created"] for row in categories["items"]} == {"Карты": 2, "": 1}
    assert categories["time_zone"] == "Europe/Minsk"
    own = (await client.get("/api/v1/stats/categories", params=days, headers=vera)).json()["items"]
    assert [(row["category"], row["csat_average"]) for row in own] == [("Карты", 4.0)]
    refused = await client.get("/api/v1/stats/categories", params={"operator_id": "op-gleb"}, headers=vera)
    assert refused.status_code == 403

    daily = await client.get("/api/v1/stats/daily", params={"from": "2026-11-01", "to": DAY}, headers=admin)
    assert daily.status_code == 200, daily.text
    points = [
        (item["day"], item["tickets_created"], item["tickets_closed"], item["backlog"], item["csat_average"])
        for item in daily.json()["items"]
    ]
    assert points == [("2026-11-01", 0, 0, 0, None), (DAY, 3, 2, 1, 2.5)]
    mine = (await client.get("/api/v1/stats/daily", params=days, headers=vera)).json()["items"]
    assert [(item["tickets_closed"], item["csat_average"]) for item in mine] == [(1, 4.0)]
