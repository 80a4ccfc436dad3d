"""Operators and access on the real gateway app (MongoDB on FerretDB, Redis)."""

from __future__ import annotations

import httpx
import pytest

from tests.gateway.conftest import ADMIN_PASSWORD, bearer, login

pytestmark = pytest.mark.integration

PUBLIC_PATHS = {
    "/api/v1/auth/login",
    "/api/v1/auth/refresh",
    "/api/v1/auth/logout",
    "/healthz",
    "/livez",
    "/readyz",
}
# The signed link is the permission (an <img> sends no token): tests/security/test_uploads.py refuses forged,
# altered and expired ones.
LINK_PATHS = {"/api/v1/files/{link}"}


async def test_first_admin_logs_in_and_sees_themselves(gateway: httpx.AsyncClient, admin_name: str) -> None:
    tokens = await login(gateway, admin_name, ADMIN_PASSWORD)
    assert tokens["token_type"] == "bearer"
    me = await gateway.get("/api/v1/operators/me", headers=bearer(tokens))
    assert me.status_code == 200
    assert me.json()["role"] == "admin"
    assert me.json()["username"] == admin_name


async def test_wrong_password_is_401_and_repeated_failures_are_throttled(
    gateway: httpx.AsyncClient, admin_name: str
) -> None:
    for _ in range(3):
        response = await gateway.post("/api/v1/auth/login", json={"username": admin_name, "password": "nope"})
        assert response.status_code == 401
    throttled = await gateway.post(
        "/api/v1/auth/login", json={"username": admin_name, "password": ADMIN_PASSWORD}
    )
    assert throttled.status_code == 429
    assert int(throttled.headers["Retry-After"]) > 0


async def test_refresh_token_rotates_and_logout_revokes(gateway: httpx.AsyncClient, admin_name: str) -> None:
    tokens = await login(gateway, admin_name, ADMIN_PASSWORD)
    renewed = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert renewed.status_code == 200
    reused = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert reused.status_code == 401
    new_refresh = renewed.json()["refresh_token"]
    assert (await gateway.post("/api/v1/auth/logout", json={"refresh_token": new_refresh})).status_code == 204
    revoked = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": new_refresh})
    assert revoked.status_code == 401


async def test_admin_creates_operators_and_operators_cannot(
    gateway: httpx.AsyncClient, admin_name: str
) -> None:
    admin = bearer(await login(gateway, admin_name, ADMIN_PASSWORD))
    created = await gateway.post(
        "/api/v1/operators",
        json={"username": f"olga{admin_name}", "password": "очень-секретно", "display_name": "Ольга"},
        headers=admin,
    )
    assert created.status_code == 201, created.text
    assert created.json()["role"] == "operator"
    duplicate = await gateway.post(
        "/api/v1/operators",
        json={"username": f"OLGA{admin_name}", "password": "другой-пароль"},
        headers=admin,
    )
    assert duplicate.status_code == 409

    olga = bearer(await login(gateway, f"olga{admin_name}", "очень-секретно"))
    forbidden = await gateway.post(
        "/api/v1/operators", json={"username": "eve", "password": "12345678"}, headers=olga
    )
    assert forbidden.status_code == 403
    assert (await gateway.get("/api/v1/operators", headers=olga)).status_code == 403


async def test_deactivated_operator_cannot_log_in_or_refresh(
    gateway: httpx.AsyncClient, admin_name: str
) -> None:
    admin = bearer(await login(gateway, admin_name, ADMIN_PASSWORD))
    created = await gateway.post(
        "/api/v1/operators", json={"username": f"ivan{admin_name}", "password": "пароль-ивана"}, headers=admin
    )
    tokens = await login(gateway, f"ivan{admin_name}", "пароль-ивана")
    await gateway.patch(f"/api/v1/operators/{created.json()['id']}", json={"active": False}, headers=admin)
    assert (
        await gateway.post(
            "/api/v1/auth/login", json={"username": f"ivan{admin_name}", "password": "пароль-ивана"}
        )
    ).status_code == 401
    refreshed = await gateway.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 401


async def test_bad_requests_get_a_4xx_with_a_message(gateway: httpx.AsyncClient, admin_name: str) -> None:
    response = await gateway.post(
        "/api/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert response.status_code == 422
    assert response.json()["detail"]
    short = await gateway.post(
        "/api/v1/operators",
        json={"username": "x", "password": "short"},
        headers=bearer(await login(gateway, admin_name, ADMIN_PASSWORD)),
    )
    assert short.status_code == 422


async def test_every_protected_route_needs_a_valid_token(gateway: httpx.AsyncClient) -> None:
    spec = (await gateway.get("/openapi.json")).json()
    checked = 0
    for path, operations in spec["paths"].items():
        if path in PUBLIC_PATHS:
            continue
        if path in LINK_PATHS:
            refused = await gateway.get(path.replace("{link}", "not-a-link"))
            assert refused.status_code == 403, refused.text
            continue
        concrete = path.replace("{ticket_id}", "t-1").replace("{operator_id}", "o-1")
        for method in operations:
            for headers in ({}, {"Authorization": "Bearer not-a-jwt"}):
                response = await gateway.request(method.upper(), concrete, headers=headers, json={})
                assert response.status_code == 401, (method, path, response.status_code, response.text)
            checked += 1
    assert checked >= 12
