"""Live sockets end when their token stops standing: within 5 s of a deactivation, a demotion or a
logout, through the gateway's relay on the whole stack; and at the token's expiry (the watcher on the
real Redis)."""

from __future__ import annotations

import time
import uuid
from datetime import timedelta

import pytest
import redis.asyncio as redis_async

from services.notifications.access import until_revoked
from t1lib.access import AccessGuard
from t1lib.auth import Principal, Role, decode_access_token, issue_access_token
from tests.e2e.conftest import Operator, Stack

pytestmark = pytest.mark.integration

WITHIN_S = 5.0


async def test_deactivation_demotion_and_logout_close_live_sockets_within_5_s(shared_stack: Stack) -> None:
    stack = shared_stack
    admin = stack.admin.headers
    for change in ("deactivate", "demote", "logout"):
        role = "admin" if change == "demote" else "operator"
        username = f"live{uuid.uuid4().hex[:8]}"
        created = await stack.api.post(
            "/api/v1/operators",
            json={"username": username, "password": "пароль-оператора-1", "role": role},
            headers=admin,
        )
        assert created.status_code == 201, created.text
        signed_in = await stack.api.post(
            "/api/v1/auth/login", json={"username": username, "password": "пароль-оператора-1"}
        )
        tokens = signed_in.json()
        access = tokens["access_token"]
        operator = Operator(created.json()["id"], username, {"Authorization": f"Bearer {access}"}, access)
        live = await stack.listen(operator)
        started = time.monotonic()
        if change == "deactivate":
            done = await stack.api.patch(
                f"/api/v1/operators/{operator.id}", json={"active": False}, headers=admin
            )
        elif change == "demote":
            done = await stack.api.patch(
                f"/api/v1/operators/{operator.id}", json={"role": "operator"}, headers=admin
            )
        else:
            done = await stack.api.post(
                "/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]}
            )
        assert done.status_code in (200, 204), done.text
        code, reason = await live.ended(WITHIN_S)
        assert time.monotonic() - started <= WITHIN_S
        assert code not in (None, 1000), (change, code, reason)


async def test_a_live_socket_ends_at_its_tokens_expiry(engines: dict[str, str]) -> None:
    redis = redis_async.Redis.from_url(engines["T1_REDIS_URL"])
    guard = AccessGuard(redis)
    operator_id = f"op-{uuid.uuid4().hex[:8]}"
    await guard.publish_account(operator_id, Role.OPERATOR, True, valid_after=0)
    principal = Principal(operator_id, Role.OPERATOR, "ivan")
    # exp is in whole seconds: the token lives 1-2 s
    token = decode_access_token("s" * 32, issue_access_token("s" * 32, principal, timedelta(seconds=2)))
    started = time.monotonic()
    reason = await until_revoked(guard, token, principal, interval_s=0.2)
    assert reason == "the access token expired"
    assert token.expires_at - 0.5 <= time.time() <= token.expires_at + 0.5
    assert time.monotonic() - started <= 2.5
    await redis.aclose()
