"""No token, password or secret in any log. The gateway, notifications and the bot run as `make up` runs
them (scripts/stack.py: processes of their own, logging with t1lib.logs into .data/logs/<name>.log), here
at DEBUG so that every library speaks, while an operator logs in, refreshes the session and opens the live
socket through the gateway, and the bot polls a (fake) Telegram with its token and downloads a file."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import stat
import subprocess
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import websockets
from confluent_kafka.admin import AdminClient
from websockets.typing import Subprotocol

from fakes.telegram import FakeTelegram
from scripts import stack
from t1lib.config import MongoSettings, S3Settings
from t1lib.kafka.admin import all_topic_names, ensure_topics
from t1lib.kafka.topics import EVENT_TYPES, TopicRegistry
from t1lib.live_auth import PROTOCOL, offered_protocols
from t1lib.stores import mongo_client, s3_client
from tests.support.servers import free_port
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

BOT_TOKEN = "7012345678:AAHfiXq2b8v1Zx0cQm3TnW4yPsLk9RdEu5J"  # the fake's, shaped as a real one
WRONG_PASSWORD = "Неверный-пароль-2026"
JWT = re.compile(r"eyJ[\w-]*\.[\w-]+\.[\w-]*")


@dataclass
class Running:
    logs: Path
    gateway_url: str
    password_file: Path
    jwt_secret: str
    telegram: FakeTelegram

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(encoding="utf-8", errors="replace")

    def assert_no_secret(self, *secrets: str) -> None:
        for name in ("gateway", "notifications", "bot"):
            text = self.log(name)
            for secret in (*secrets, self.jwt_secret):
                assert secret not in text, f"{name}.log shows a secret: {_around(text, secret)}"
            found = JWT.search(text)
            assert found is None, f"{name}.log shows a JWT: {_around(text, found.group())}"


def _around(text: str, secret: str) -> str:
    at = text.find(secret)
    return text[max(0, at - 200) : at + len(secret) + 50]


@pytest.fixture(scope="module")
async def running(
    engines: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[Running]:
    """notifications, gateway (no admin password given: it generates one) and bot, started by
    scripts/stack.py into a data folder of their own, where an older gateway.log (mode 0644) waits."""
    data = tmp_path_factory.mktemp("data")
    logs = data / "logs"
    logs.mkdir(mode=0o755)
    (logs / "gateway.log").write_text("an older run's log\n")
    (logs / "gateway.log").chmod(0o644)
    (data / "run").mkdir()
    run = uuid.uuid4().hex[:10]
    registry = TopicRegistry(EVENT_TYPES, prefix=f"logs-{run}.")
    await asyncio.to_thread(ensure_topics, engines["T1_KAFKA_BOOTSTRAP"], registry)
    gateway_port, notifications_port = free_port(), free_port()
    jwt_secret = uuid.uuid4().hex * 2
    password_file = data / "admin-password"
    services = [
        stack.Service("notifications", "services.notifications", notifications_port),
        stack.Service("gateway", "gateway", gateway_port),
        stack.Service("bot", "services.bot", 0),
    ]
    processes: list[subprocess.Popen[bytes]] = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(stack, "DATA_DIR", data)
        patch.setattr(stack, "PID_DIR", data / "run")
        async with FakeTelegram(token=BOT_TOKEN) as telegram:
            env = {
                **{key: value for key, value in os.environ.items() if not key.startswith("T1_")},
                **engines,
                "T1_LOG_LEVEL": "DEBUG",
                "T1_MONGO_DB": f"logs_{run}",
                "T1_KAFKA_TOPIC_PREFIX": f"logs-{run}.",
                "T1_S3_BUCKET": f"logs-{run}",
                "T1_JWT_SECRET": jwt_secret,
                "T1_ADMIN_USERNAME": "admin",
                "T1_ADMIN_PASSWORD_FILE": str(password_file),
                "T1_GATEWAY_PORT": str(gateway_port),
                "T1_NOTIFICATIONS_PORT": str(notifications_port),
                "T1_NOTIFICATIONS_WS_URL": f"ws://127.0.0.1:{notifications_port}/ws",
                "T1_TICKETS_GRPC_ADDR": "127.0.0.1:9",
                "T1_CONSUMER_GROUP": f"bot-{run}",
                "T1_BOT_POLL_TIMEOUT_S": "1",
                "TELEGRAM_BOT_TOKEN": BOT_TOKEN,
                "TELEGRAM_API_URL": telegram.url,
            }
            env.pop("T1_ADMIN_PASSWORD", None)
            try:
                for service in services:
                    processes.append(stack.start(service, env))
                    await asyncio.to_thread(stack.wait_listening, service, processes[-1])
                yield Running(logs, f"http://127.0.0.1:{gateway_port}", password_file, jwt_secret, telegram)
            finally:
                stack.stop_recorded()
                for process in processes:
                    with contextlib.suppress(subprocess.TimeoutExpired):
                        await asyncio.to_thread(process.wait, 20)
    await cleanup(engines["T1_KAFKA_BOOTSTRAP"], registry, f"logs_{run}", f"logs-{run}")


async def cleanup(bootstrap: str, registry: TopicRegistry, database: str, bucket: str) -> None:
    settings = CleanupSettings()
    mongo = mongo_client(settings)
    await mongo.drop_database(database)
    await mongo.close()
    s3 = s3_client(settings)

    def drop_bucket() -> None:
        if s3.bucket_exists(bucket):
            for item in s3.list_objects(bucket, recursive=True):
                s3.remove_object(bucket, str(item.object_name))
            s3.remove_bucket(bucket)

    await asyncio.to_thread(drop_bucket)
    admin = AdminClient({"bootstrap.servers": bootstrap})
    for future in admin.delete_topics(all_topic_names(registry), operation_timeout=10).values():
        with contextlib.suppress(Exception):
            await asyncio.to_thread(future.result, 15)


class CleanupSettings(MongoSettings, S3Settings):
    pass


async def test_a_generated_admin_password_is_kept_in_a_private_file_and_never_logged(
    running: Running,
) -> None:
    assert running.password_file.is_file(), "the generated password must be kept somewhere only we can read"
    assert stat.S_IMODE(running.password_file.stat().st_mode) == 0o600
    password = running.password_file.read_text().strip()
    async with httpx.AsyncClient(base_url=running.gateway_url) as api:
        login = await api.post("/api/v1/auth/login", json={"username": "admin", "password": password})
    assert login.status_code == 200, login.text
    assert "created the first admin" in running.log("gateway")
    running.assert_no_secret(password)


async def test_tokens_of_a_session_and_its_live_socket_stay_out_of_the_logs(running: Running) -> None:
    password = running.password_file.read_text().strip()
    async with httpx.AsyncClient(base_url=running.gateway_url) as api:
        wrong = await api.post("/api/v1/auth/login", json={"username": "admin", "password": WRONG_PASSWORD})
        assert wrong.status_code == 401, wrong.text
        login = await api.post("/api/v1/auth/login", json={"username": "admin", "password": password})
        assert login.status_code == 200, login.text
        first = login.json()
        refreshed = await api.post("/api/v1/auth/refresh", json={"refresh_token": first["refresh_token"]})
        assert refreshed.status_code == 200, refreshed.text
        tokens = refreshed.json()
        me = await api.get(
            "/api/v1/operators/me", headers={"Authorization": f"Bearer {tokens['access_token']}"}
        )
        assert me.status_code == 200, me.text

    live_url = running.gateway_url.replace("http", "ws", 1) + "/api/v1/ws"
    # An older console put the token in the URL: refused now, and the URL it asked for is logged redacted.
    with contextlib.suppress(websockets.InvalidHandshake, websockets.ConnectionClosed):
        async with websockets.connect(f"{live_url}?token={tokens['access_token']}", open_timeout=5) as legacy:
            await asyncio.wait_for(legacy.recv(), 5)
    offered = [Subprotocol(protocol) for protocol in offered_protocols(tokens["access_token"])]
    async with websockets.connect(live_url, subprotocols=offered, open_timeout=10) as socket:
        assert socket.subprotocol == PROTOCOL
        hello = json.loads(await asyncio.wait_for(socket.recv(), 10))
        assert hello == {"type": "hello", "operator_id": me.json()["id"]}

    def handshakes_logged() -> bool:
        return "WebSocket /api/v1/ws" in running.log("gateway") and "WebSocket /ws" in running.log(
            "notifications"
        )

    await eventually(handshakes_logged, timeout_s=10, what="the WebSocket handshakes in the logs")
    running.assert_no_secret(
        password,
        WRONG_PASSWORD,
        first["access_token"],
        first["refresh_token"],
        tokens["access_token"],
        tokens["refresh_token"],
    )


async def test_the_bot_token_stays_out_of_the_logs(running: Running) -> None:
    state = running.telegram.state
    async with httpx.AsyncClient(base_url=running.telegram.url) as sandbox:
        sent = await sandbox.post(
            "/sandbox/chats/5551234/messages",
            data={"kind": "document", "caption": "Выписка", "first_name": "Мария"},
            files={"file": ("выписка.txt", "Остаток: 100 BYN\n".encode(), "text/plain")},
        )
    assert sent.status_code == 200, sent.text
    await eventually(
        lambda: bool(state.calls_of("getUpdates")), timeout_s=20, what="the bot taking the update"
    )
    await eventually(lambda: bool(state.calls_of("getFile")), timeout_s=20, what="the bot fetching the file")
    assert "DEBUG" in running.log("bot").upper(), "the bot logs at DEBUG here"
    running.assert_no_secret(BOT_TOKEN.split(":", 1)[1])


async def test_service_logs_are_readable_by_their_owner_only(running: Running) -> None:
    assert stat.S_IMODE(running.logs.stat().st_mode) == 0o700
    for log in sorted(running.logs.glob("*.log")):
        assert stat.S_IMODE(log.stat().st_mode) == 0o600, f"{log.name} is {oct(log.stat().st_mode)}"
    assert running.log("gateway").startswith("an older run's log\n")
