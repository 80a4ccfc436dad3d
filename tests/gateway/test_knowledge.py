"""GET /api/v1/kb/entries?q=, /kb/facets and /kb/categories on the real gateway app, against an ml
instance in-process that imported the real FAQ (201 entries): the search goes to the server, the query's
length is bounded, only signed-in operators may read."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import httpx
import pytest

from gateway.core.config import Settings
from gateway.main import create_app
from services.ml.app import App, build_app
from services.ml.config import MlSettings
from services.ml.embedder import CachingEmbedder
from t1lib.stores import mongo_client
from tests.gateway.conftest import ADMIN_PASSWORD, bearer, login
from tests.support.knowledge import FAQ, FAQ_VARIANTS
from tests.support.servers import LiveServer

pytestmark = pytest.mark.integration

MORE_LIMITS = "Какие лимиты по карте MORE?"
CARDS = "Продукты - Карты"


@pytest.fixture
async def ml_app(engines: dict[str, str], embedder: CachingEmbedder, tmp_path: Path) -> AsyncIterator[App]:
    settings = MlSettings(
        mongo_url=engines["T1_MONGO_URL"],
        mongo_db=f"ml_test_{uuid.uuid4().hex[:10]}",
        qdrant_path=str(tmp_path / "qdrant"),
        grpc_host="127.0.0.1",
        grpc_port=0,
        grpc_grace_s=1,
        kb_import_file=str(FAQ),
        kb_variants_file=str(FAQ_VARIANTS),
        ml_sync_interval_s=0,
    )
    app = await build_app(settings, embedder)
    await app.start()
    yield app
    await app.stop()
    mongo = mongo_client(settings)
    await mongo.drop_database(settings.mongo_db)
    await mongo.close()


@pytest.fixture
async def client(gateway_settings: Settings, ml_app: App) -> AsyncIterator[httpx.AsyncClient]:
    settings = gateway_settings.model_copy(update={"ml_grpc_addr": f"127.0.0.1:{ml_app.port}"})
    async with LiveServer(create_app(settings)) as server, httpx.AsyncClient(base_url=server.url) as http:
        yield http
    mongo = mongo_client(settings)
    await mongo.drop_database(settings.mongo_db)
    await mongo.close()


async def test_search_goes_through_to_ml_and_pages(client: httpx.AsyncClient, admin_name: str) -> None:
    headers = bearer(await login(client, admin_name, ADMIN_PASSWORD))
    response = await client.get("/api/v1/kb/entries", params={"q": MORE_LIMITS, "limit": 20}, headers=headers)
    assert response.status_code == 200, response.text
    first = response.json()
    assert first["items"][0]["question"] == MORE_LIMITS
    assert 20 < first["total"] < 201
    assert first["next_cursor"]

    seen = [item["id"] for item in first["items"]]
    cursor = first["next_cursor"]
    while cursor:
        page = (
            await client.get(
                "/api/v1/kb/entries",
                params={"q": MORE_LIMITS, "limit": 20, "cursor": cursor},
                headers=headers,
            )
        ).json()
        seen += [item["id"] for item in page["items"]]
        cursor = page["next_cursor"]
    assert len(seen) == len(set(seen)) == first["total"]

    filtered = await client.get(
        "/api/v1/kb/entries",
        params={"q": "лимиты", "category": CARDS, "subcategory": "Дебетовые карты - MORE"},
        headers=headers,
    )
    assert [item["question"] for item in filtered.json()["items"]] == [MORE_LIMITS]

    # Without q: the whole base in id order, as before.
    listing = (await client.get("/api/v1/kb/entries", params={"limit": 500}, headers=headers)).json()
    assert (len(listing["items"]), listing["total"], listing["next_cursor"]) == (201, 201, None)

    # A cursor of another search is a clear 400, not a 5xx.
    other = await client.get(
        "/api/v1/kb/entries", params={"q": "вклад", "cursor": first["next_cursor"]}, headers=headers
    )
    assert other.status_code == 400, other.text


async def test_query_length_is_bounded_and_reading_needs_a_sign_in(
    client: httpx.AsyncClient, admin_name: str
) -> None:
    headers = bearer(await login(client, admin_name, ADMIN_PASSWORD))
    too_long = await client.get("/api/v1/kb/entries", params={"q": "я" * 201}, headers=headers)
    assert too_long.status_code == 422
    assert too_long.json()["detail"][0]["loc"] == ["query", "q"]
    longest = await client.get("/api/v1/kb/entries", params={"q": "я" * 200}, headers=headers)
    assert longest.status_code == 200
    assert longest.json() == {"items": [], "next_cursor": None, "total": 0}

    for path in ("/api/v1/kb/entries?q=MORE", "/api/v1/kb/facets", "/api/v1/kb/categories"):
        assert (await client.get(path)).status_code == 401, path


async def test_facets_and_categories_for_the_pickers(client: httpx.AsyncClient, admin_name: str) -> None:
    headers = bearer(await login(client, admin_name, ADMIN_PASSWORD))
    facets = await client.get("/api/v1/kb/facets", headers=headers)
    assert facets.status_code == 200, facets.text
    assert facets.json() == {
        "priorities": ["высокий", "средний"],
        "audiences": ["все клиенты", "новые клиенты"],
    }

    categories = (await client.get("/api/v1/kb/categories", headers=headers)).json()
    assert [item["name"] for item in categories] == sorted(item["name"] for item in categories)
    assert len(categories) == 6
    cards = next(item for item in categories if item["name"] == CARDS)
    assert "Дебетовые карты - MORE" in cards["subcategories"]
