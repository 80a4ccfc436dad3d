from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from pydantic import SecretStr

from gateway.core.config import Settings
from gateway.main import create_app
from t1lib.stores import mongo_client
from tests.support.servers import LiveServer

ADMIN_PASSWORD = "Пароль-админа-42"


@pytest.fixture
def admin_name() -> str:
    """Unique per test: login throttling state in Redis is keyed by username."""
    return f"root{uuid.uuid4().hex[:8]}"


@pytest.fixture
def gateway_settings(engines: dict[str, str], admin_name: str) -> Settings:
    return Settings(
        mongo_db=f"gw_{uuid.uuid4().hex[:10]}",
        jwt_secret=SecretStr(uuid.uuid4().hex),
        admin_username=admin_name,
        admin_password=SecretStr(ADMIN_PASSWORD),
        tickets_grpc_addr="127.0.0.1:9",  # no ticket routes are called by these tests
        notifications_ws_url="ws://127.0.0.1:9/ws",
        login_attempts_per_window=3,
    )


@pytest.fixture
async def gateway(gateway_settings: Settings) -> AsyncIterator[httpx.AsyncClient]:
    async with (
        LiveServer(create_app(gateway_settings)) as server,
        httpx.AsyncClient(base_url=server.url) as client,
    ):
        yield client
    mongo = mongo_client(gateway_settings)
    await mongo.drop_database(gateway_settings.mongo_db)
    await mongo.close()


async def login(client: httpx.AsyncClient, username: str, password: str) -> dict[str, str]:
    response = await client.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    tokens: dict[str, str] = response.json()
    return tokens


def bearer(tokens: dict[str, str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {tokens['access_token']}"}
