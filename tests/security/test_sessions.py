"""Tokens do not outlive their account or their session, on the real gateway (MongoDB, Redis): a
deactivated operator's, a demoted admin's, a logged-out and a reused refresh token's access tokens stop
working on the next request; login throttling holds under parallel attempts and across usernames."""

from __future__ import annotations

import asyncio
import random
import uuid
from collections import Counter
from collections.abc import AsyncIterator

import httpx
import pytest

from gateway.core.config import Settings
from gateway.main import create_app
from t1lib.stores import mongo_client
from tests.gateway.conftest import ADMIN_PASSWORD, bearer, login
from tests.support.servers import LiveServer

pytestmark = pytest.mark.integration


async def new_operator(
    client: httpx.AsyncClient, admin: dict[str, str], role: str = "operator"
) -> tuple[str, dict[str, str]]:
    """(id, tokens) of a new operator, logged in."""
    username = f"op{uuid.uuid4().hex[:8]}"
    created = await client.post(
        "/api/v1/operators",
        json={"username": username, "password": "пароль-оператора-1", "role": role},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    return created.json()["id"], await login(client, username, "пароль-оператора-1")


async def status_of(client: httpx.AsyncClient, tokens: dict[str, str]) -> int:
    return (await client.get("/api/v1/operators/me", headers=bearer(tokens))).status_code


async def test_deactivation_stops_the_operators_tokens_on_the_next_request(
    gateway: httpx.AsyncClient, admin_name: str
) -> None:
    admin = bearer(await login(gateway, admin_name, ADMIN_PASSWORD))
    operator_id, tokens = await new_operator(gateway, admin)
    assert await status_of(gateway, tokens) == 200
    changed = await gateway.patch(f"/api/v1/operators/{operator_id}", json={"active": False}, headers=admin)
    assert changed.status_code == 200, changed.text
    assert await status_of(gateway, tokens) == 401
    refreshed = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401


async def test_a_demoted_admin_acts_as_an_operator_at_once_and_cannot_leave_an_admin_behind(
    gateway: httpx.AsyncClient, admin_name: str
) -> None:
    admin = bearer(await login(gateway, admin_name, ADMIN_PASSWORD))
    deputy_id, deputy = await new_operator(gateway, admin, role="admin")
    assert (await gateway.get("/api/v1/operators", headers=bearer(deputy))).status_code == 200
    demoted = await gateway.patch(f"/api/v1/operators/{deputy_id}", json={"role": "operator"}, headers=admin)
    assert demoted.status_code == 200, demoted.text
    sneaky = await gateway.post(
        "/api/v1/operators",
        json={"username": f"x{uuid.uuid4().hex[:8]}", "password": "пароль-оператора-1", "role": "admin"},
        headers=bearer(deputy),
    )
    assert sneaky.status_code in (401, 403), sneaky.text
    assert (await gateway.get("/api/v1/operators", headers=bearer(deputy))).status_code in (401, 403)
    deactivated = await gateway.patch(f"/api/v1/operators/{deputy_id}", json={"active": False}, headers=admin)
    assert deactivated.status_code == 200, deactivated.text
    assert await status_of(gateway, deputy) == 401
    listed = (await gateway.get("/api/v1/operators", headers=admin)).json()
    assert [item["role"] for item in listed].count("admin") == 1, "no admin was left behind"


async def test_logout_ends_the_session_its_access_and_refresh_tokens(
    gateway: httpx.AsyncClient, admin_name: str
) -> None:
    admin = bearer(await login(gateway, admin_name, ADMIN_PASSWORD))
    _operator_id, tokens = await new_operator(gateway, admin)
    other_session = await login(gateway, admin_name, ADMIN_PASSWORD)
    out = await gateway.post(
        "/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]}, headers=bearer(tokens)
    )
    assert out.status_code == 204
    assert await status_of(gateway, tokens) == 401
    refreshed = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401
    assert await status_of(gateway, other_session) == 200, "another session of the desk goes on"


async def test_logout_with_the_refresh_token_alone_also_ends_the_access_token(
    gateway: httpx.AsyncClient, admin_name: str
) -> None:
    admin = bearer(await login(gateway, admin_name, ADMIN_PASSWORD))
    _operator_id, tokens = await new_operator(gateway, admin)
    out = await gateway.post("/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    assert out.status_code == 204
    assert await status_of(gateway, tokens) == 401


async def test_a_reused_refresh_token_ends_the_whole_session(
    gateway: httpx.AsyncClient, admin_name: str
) -> None:
    admin = bearer(await login(gateway, admin_name, ADMIN_PASSWORD))
    _operator_id, first = await new_operator(gateway, admin)
    rotated = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert rotated.status_code == 200, rotated.text
    second = rotated.json()
    assert await status_of(gateway, second) == 200
    replayed = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
    assert replayed.status_code == 401
    # The thief's copy was used: every token of the session stops, the legitimate holder's too.
    assert await status_of(gateway, second) == 401
    assert await status_of(gateway, first) == 401
    again = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": second["refresh_token"]})
    assert again.status_code == 401


async def test_a_new_password_voids_the_tokens_issued_before_it(
    gateway: httpx.AsyncClient, admin_name: str
) -> None:
    admin = bearer(await login(gateway, admin_name, ADMIN_PASSWORD))
    operator_id, tokens = await new_operator(gateway, admin)
    changed = await gateway.patch(
        f"/api/v1/operators/{operator_id}", json={"password": "новый-пароль-оператора"}, headers=admin
    )
    assert changed.status_code == 200, changed.text
    assert await status_of(gateway, tokens) == 401
    me = (await gateway.get("/api/v1/operators/me", headers=admin)).json()
    fresh = await login(gateway, changed.json()["username"], "новый-пароль-оператора")
    assert await status_of(gateway, fresh) == 200
    assert me["username"] == admin_name


async def test_parallel_wrong_passwords_cannot_slip_past_the_limit(
    gateway: httpx.AsyncClient, admin_name: str
) -> None:
    attempts = [
        gateway.post("/api/v1/auth/login", json={"username": admin_name, "password": f"wrong-{index}"})
        for index in range(15)
    ]
    statuses = Counter(response.status_code for response in await asyncio.gather(*attempts))
    assert statuses[401] <= 3, statuses  # login_attempts_per_window=3 in these tests
    assert statuses[429] >= 12, statuses
    refused = await gateway.post(
        "/api/v1/auth/login", json={"username": admin_name, "password": ADMIN_PASSWORD}
    )
    assert refused.status_code == 429, "the limit holds for the right password too, until the window ends"


@pytest.fixture
async def sprayed_gateway(gateway_settings: Settings) -> AsyncIterator[str]:
    """The URL of a gateway that lets one client fail 4 logins per window, whatever the usernames."""
    settings = gateway_settings.model_copy(update={"login_attempts_per_client": 4})
    async with LiveServer(create_app(settings)) as server:
        yield server.url
    mongo = mongo_client(settings)
    await mongo.drop_database(settings.mongo_db)
    await mongo.close()


def loopback_address() -> str:
    """A client address of its own (all of 127.0.0.0/8 is loopback): other tests' counts do not matter."""
    return f"127.{random.randrange(1, 255)}.{random.randrange(1, 255)}.{random.randrange(2, 255)}"


def client_at(url: str, address: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=url, transport=httpx.AsyncHTTPTransport(local_address=address))


async def test_one_client_cannot_spray_passwords_over_many_usernames(
    sprayed_gateway: str, admin_name: str
) -> None:
    server = sprayed_gateway
    sprayer_address, other_address = loopback_address(), loopback_address()
    async with client_at(server, sprayer_address) as sprayer:
        statuses = [
            (
                await sprayer.post(
                    "/api/v1/auth/login", json={"username": f"user{index}", "password": "Spring2026!"}
                )
            ).status_code
            for index in range(7)
        ]
        assert statuses[:4] == [401] * 4
        assert statuses[4:] == [429] * 3
        blocked = await sprayer.post(
            "/api/v1/auth/login", json={"username": admin_name, "password": ADMIN_PASSWORD}
        )
        assert blocked.status_code == 429
        assert int(blocked.headers["Retry-After"]) >= 1
    async with client_at(server, other_address) as elsewhere:
        assert (
            await elsewhere.post(
                "/api/v1/auth/login", json={"username": admin_name, "password": ADMIN_PASSWORD}
            )
        ).status_code == 200, "other clients are not blocked"
