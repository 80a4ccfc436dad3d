"""T1_ADMIN_USERNAME / T1_ADMIN_PASSWORD choose the admin's login, on a fresh install and on one that
has run before: the environment wins over .data/secrets.env, and the gateway makes the configured
account an admin with that password at start."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx
import pytest
from pydantic import SecretStr

from gateway.core.config import Settings
from gateway.main import create_app
from scripts import stack
from t1lib.stores import mongo_client
from tests.gateway.conftest import ADMIN_PASSWORD, bearer, login
from tests.support.servers import LiveServer

pytestmark = pytest.mark.integration


async def status_of_login(url: str, username: str, password: str) -> int:
    async with httpx.AsyncClient(base_url=url) as client:
        response = await client.post("/api/v1/auth/login", json={"username": username, "password": password})
        return response.status_code


async def test_the_configured_admin_login_wins_on_an_install_that_ran_before(
    gateway_settings: Settings, admin_name: str
) -> None:
    try:
        async with (
            LiveServer(create_app(gateway_settings)) as first,
            httpx.AsyncClient(base_url=first.url) as client,
        ):
            old_tokens = await login(client, admin_name, ADMIN_PASSWORD)

        ceo = f"ceo{uuid.uuid4().hex[:6]}"
        chosen = gateway_settings.model_copy(
            update={"admin_username": ceo, "admin_password": SecretStr("пароль-директора-1")}
        )
        async with LiveServer(create_app(chosen)) as second:
            assert await status_of_login(second.url, ceo, "пароль-директора-1") == 200

        changed = gateway_settings.model_copy(update={"admin_password": SecretStr("новый-пароль-админа")})
        async with LiveServer(create_app(changed)) as third:
            assert await status_of_login(third.url, admin_name, "новый-пароль-админа") == 200
            assert await status_of_login(third.url, admin_name, ADMIN_PASSWORD) == 401
            async with httpx.AsyncClient(base_url=third.url) as client:
                stale = await client.get("/api/v1/operators/me", headers=bearer(old_tokens))
                assert stale.status_code == 401, "the old password's tokens are void"
    finally:
        mongo = mongo_client(gateway_settings)
        await mongo.drop_database(gateway_settings.mongo_db)
        await mongo.close()


def test_the_environment_wins_over_the_saved_secrets(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    saved = tmp_path / "secrets.env"
    saved.write_text("T1_JWT_SECRET=saved-secret\nT1_ADMIN_PASSWORD=saved-password\n")
    monkeypatch.setattr(stack, "SECRETS_FILE", saved)
    monkeypatch.setenv("T1_ADMIN_USERNAME", "ceo")
    monkeypatch.setenv("T1_ADMIN_PASSWORD", "chosen-password")
    env = stack.stack_env()
    assert (env["T1_ADMIN_USERNAME"], env["T1_ADMIN_PASSWORD"]) == ("ceo", "chosen-password")
    assert env["T1_JWT_SECRET"] == "saved-secret"
    monkeypatch.delenv("T1_ADMIN_PASSWORD")
    assert stack.stack_env()["T1_ADMIN_PASSWORD"] == "saved-password"
