"""The whole conversation stack in-process on the real engines: fake Telegram, bot, message_saver,
notifications and gateway, all on loopback ports, topics under a prefix unique to each test."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import tempfile
import uuid
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest
import websockets
from confluent_kafka.admin import AdminClient
from pydantic import SecretStr
from websockets.typing import Subprotocol

from fakes.llm import FakeLlm
from fakes.telegram import FakeTelegram, StoredMessage
from gateway.core.config import Settings as GatewaySettings
from gateway.main import create_app as create_gateway
from services.bot.config import BotSettings
from services.bot.service import build_bot
from services.message_saver.app import App, build_app
from services.message_saver.config import MessageSaverSettings
from services.ml.app import build_app as build_ml
from services.ml.config import MlSettings
from services.ml.embedder import CachingEmbedder
from services.notifications.app import create_app as create_notifications
from services.notifications.config import Settings as NotificationsSettings
from services.stats.app import build_app as build_stats
from services.stats.config import StatsSettings
from services.summarizer.app import build_app as build_summarizer
from services.summarizer.config import SummarizerSettings
from t1lib.kafka.admin import all_topic_names, ensure_topics
from t1lib.kafka.topics import EVENT_TYPES, TopicRegistry
from t1lib.live_auth import PROTOCOL, offered_protocols
from t1lib.stores import mongo_client, s3_client
from tests.support.knowledge import FAQ, FAQ_VARIANTS
from tests.support.servers import LiveServer

os.environ.setdefault("PTB_TIMEDELTA", "true")
ADMIN_PASSWORD = "Админ-пароль-2026"


class LiveEvents:
    """An operator's WebSocket: collects the JSON events; `wait` returns the first event matching."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self._arrived = asyncio.Condition()
        self._task: asyncio.Task[None] | None = None
        self._socket: websockets.ClientConnection | None = None

    async def open(self, url: str, token: str) -> None:
        """Connect as the console does: the access token in a subprotocol (t1lib.live_auth)."""
        offered = [Subprotocol(protocol) for protocol in offered_protocols(token)]
        self._socket = await websockets.connect(url, subprotocols=offered)
        assert self._socket.subprotocol == PROTOCOL
        self._task = asyncio.create_task(self._read())
        await self.wait(lambda event: event["type"] == "hello")

    async def _read(self) -> None:
        assert self._socket is not None
        with contextlib.suppress(websockets.ConnectionClosed):
            async for frame in self._socket:
                async with self._arrived:
                    self.events.append(json.loads(frame))
                    self._arrived.notify_all()

    async def wait(
        self, predicate: Callable[[dict[str, Any]], bool], timeout_s: float = 20
    ) -> dict[str, Any]:
        async def found() -> dict[str, Any]:
            async with self._arrived:
                while True:
                    for event in self.events:
                        if predicate(event):
                            return event
                    await self._arrived.wait()

        return await asyncio.wait_for(found(), timeout_s)

    async def ended(self, timeout_s: float) -> tuple[int | None, str | None]:
        """(close code, reason) once the server closed the socket; TimeoutError after `timeout_s`."""
        assert self._socket is not None
        assert self._task is not None
        await asyncio.wait_for(asyncio.shield(self._task), timeout_s)
        return self._socket.close_code, self._socket.close_reason

    async def close(self) -> None:
        if self._socket is not None:
            await self._socket.close()
        if self._task is not None:
            await self._task


@dataclass
class Operator:
    id: str
    username: str
    headers: dict[str, str]
    token: str


@dataclass
class Stack:
    telegram: FakeTelegram
    sandbox: httpx.AsyncClient
    api: httpx.AsyncClient
    gateway_url: str
    saver_settings: MessageSaverSettings
    registry: TopicRegistry
    saver: App
    admin: Operator
    live: list[LiveEvents] = field(default_factory=list)
    assistance: Assistance | None = None
    gateway_settings: GatewaySettings | None = None

    async def customer_says(self, chat_id: int, text: str, **profile: str) -> int:
        """The customer writes in Telegram; returns the Telegram message id."""
        body = {"text": text, "first_name": "Иван", "last_name": "Петров", "username": f"ivan{chat_id}"}
        response = await self.sandbox.post(f"/sandbox/chats/{chat_id}/messages", json={**body, **profile})
        assert response.status_code == 200, response.text
        return int(response.json()["result"]["message_id"])

    async def customer_sends_file(
        self, chat_id: int, kind: str, name: str, data: bytes, mime: str, caption: str
    ) -> int:
        response = await self.sandbox.post(
            f"/sandbox/chats/{chat_id}/messages",
            data={"kind": kind, "caption": caption, "first_name": "Иван"},
            files={"file": (name, data, mime)},
        )
        assert response.status_code == 200, response.text
        return int(response.json()["result"]["message_id"])

    async def operator(self, username: str) -> Operator:
        password = f"пароль-{username}"
        created = await self.api.post(
            "/api/v1/operators", json={"username": username, "password": password}, headers=self.admin.headers
        )
        assert created.status_code == 201, created.text
        return await login(self.api, username, password)

    async def handled_and_closed(
        self, operator: Operator, chat_id: int, question: str, answer: str
    ) -> tuple[dict[str, Any], StoredMessage]:
        """The customer asks, `operator` takes the ticket, answers and closes it; returns the ticket and
        the bot's closing message (with the rating buttons)."""
        await self.customer_says(chat_id, question)
        ticket = await self.ticket_of(chat_id, operator)
        for path, body in (("take", None), ("messages", {"text": answer}), ("close", None)):
            done = await self.api.post(
                f"/api/v1/tickets/{ticket['id']}/{path}", json=body, headers=operator.headers
            )
            assert done.status_code in (200, 201), done.text
        _reply, closing = await self.bot_sent(chat_id, 2)
        return ticket, closing

    async def press(self, chat_id: int, message: StoredMessage, text: str) -> None:
        """The customer presses the inline button labelled `text` under `message`."""
        buttons = [button for row in message.payload["reply_markup"]["inline_keyboard"] for button in row]
        data = next(button["callback_data"] for button in buttons if button["text"] == text)
        pressed = await self.sandbox.post(
            f"/sandbox/chats/{chat_id}/messages/{message.message_id}/press", json={"data": data}
        )
        assert pressed.status_code == 200, pressed.text

    async def listen(self, operator: Operator) -> LiveEvents:
        live = LiveEvents()
        await live.open(self.gateway_url.replace("http", "ws", 1) + "/api/v1/ws", operator.token)
        self.live.append(live)
        return live

    async def bot_sent(self, chat_id: int, count: int, method: str | None = None) -> list[StoredMessage]:
        def enough() -> list[StoredMessage] | None:
            sent = self.telegram.state.bot_messages(chat_id, method)
            return sent if len(sent) >= count else None

        return await self.telegram.state.wait_for(enough, 30)

    async def ticket_of(self, chat_id: int, operator: Operator | None = None) -> dict[str, Any]:
        """The customer's newest ticket as the console lists it, once it exists."""
        headers = (operator or self.admin).headers

        async def find() -> dict[str, Any]:
            while True:
                page = (await self.api.get("/api/v1/tickets", headers=headers)).json()
                for item in page["items"]:
                    if item["customer"]["chat_id"] == chat_id:
                        return dict(item)
                await asyncio.sleep(0.1)

        return await asyncio.wait_for(find(), 20)

    async def messages(self, ticket_id: str, operator: Operator | None = None) -> list[dict[str, Any]]:
        response = await self.api.get(
            f"/api/v1/tickets/{ticket_id}/messages", headers=(operator or self.admin).headers
        )
        assert response.status_code == 200, response.text
        return list(response.json()["items"])


async def login(api: httpx.AsyncClient, username: str, password: str) -> Operator:
    response = await api.post("/api/v1/auth/login", json={"username": username, "password": password})
    assert response.status_code == 200, response.text
    token = response.json()["access_token"]
    me = (await api.get("/api/v1/operators/me", headers={"Authorization": f"Bearer {token}"})).json()
    return Operator(me["id"], username, {"Authorization": f"Bearer {token}"}, token)


async def until_ready(url: str) -> None:
    async with httpx.AsyncClient() as client:
        for _ in range(200):
            if (await client.get(url)).status_code == 200:
                return
            await asyncio.sleep(0.1)
    raise TimeoutError(f"{url} never became ready")


@dataclass
class Assistance:
    """ml (the FAQ and its variants imported) and summarizer, both talking to the fake LLM."""

    llm: FakeLlm
    ml_address: str


@contextlib.asynccontextmanager
async def open_stack(
    engines: dict[str, str], *, embedder: CachingEmbedder | None = None, qdrant_path: str = ""
) -> AsyncIterator[Stack]:
    """The stack; with an embedder also ml and summarizer (AI assistance) and the fake LLM."""
    run = uuid.uuid4().hex[:10]
    bootstrap = engines["T1_KAFKA_BOOTSTRAP"]
    registry = TopicRegistry(EVENT_TYPES, prefix=f"e2e-{run}.")
    await asyncio.to_thread(ensure_topics, bootstrap, registry)
    database, bucket, secret = f"e2e_{run}", f"e2e-{run}", uuid.uuid4().hex
    async with contextlib.AsyncExitStack() as exits:
        telegram = await exits.enter_async_context(FakeTelegram())
        assistance: Assistance | None = None
        if embedder is not None:
            assistance = await exits.enter_async_context(
                assisting(run, database, registry, embedder, qdrant_path)
            )
        saver_settings = MessageSaverSettings(
            mongo_db=database,
            s3_bucket=bucket,
            grpc_port=0,
            consumer_group=f"ms-{run}",
            kafka_retry_backoff_s=0.05,
            log_json=False,
            search_dir=str(Path(tempfile.gettempdir()) / "t1-e2e-search"),
        )
        saver = await build_app(saver_settings, registry)
        await saver.start()
        running: dict[str, App] = {"saver": saver}  # a test may replace message_saver with a new instance
        exits.push_async_callback(lambda: running["saver"].stop())
        bot_settings = BotSettings(
            telegram_bot_token=SecretStr(telegram.token),
            telegram_api_url=telegram.url,
            s3_bucket=bucket,
            consumer_group=f"bot-{run}",
            bot_poll_timeout_s=5,
            bot_send_backoff_s=0.05,
            kafka_retry_backoff_s=0.05,
            log_json=False,
        )
        await exits.enter_async_context(build_bot(bot_settings, registry).running())
        stats = await build_stats(
            StatsSettings(mongo_db=database, grpc_port=0, consumer_group=f"stats-{run}", log_json=False),
            registry,
        )
        await stats.start()
        exits.push_async_callback(stats.stop)
        notifications = await exits.enter_async_context(
            LiveServer(create_notifications(NotificationsSettings(jwt_secret=SecretStr(secret)), registry))
        )
        await until_ready(f"{notifications.url}/healthz")
        gateway_settings = GatewaySettings(
            mongo_db=database,
            s3_bucket=bucket,
            jwt_secret=SecretStr(secret),
            admin_username="admin",
            admin_password=SecretStr(ADMIN_PASSWORD),
            tickets_grpc_addr=saver.address,
            ml_grpc_addr=assistance.ml_address if assistance else "127.0.0.1:1",
            stats_grpc_addr=stats.address,
            notifications_ws_url=notifications.url.replace("http", "ws", 1) + "/ws",
            kafka_topic_prefix=f"e2e-{run}.",
        )
        gateway = await exits.enter_async_context(LiveServer(create_gateway(gateway_settings)))
        api = await exits.enter_async_context(httpx.AsyncClient(base_url=gateway.url, timeout=30))
        sandbox = await exits.enter_async_context(httpx.AsyncClient(base_url=telegram.url, timeout=30))
        admin = await login(api, "admin", ADMIN_PASSWORD)
        holder = Stack(telegram, sandbox, api, gateway.url, saver_settings, registry, saver, admin)
        holder.assistance = assistance
        holder.gateway_settings = gateway_settings
        yield holder
        running["saver"] = holder.saver
        for live in holder.live:
            await live.close()
    await cleanup(bootstrap, registry, gateway_settings, bucket)


@contextlib.asynccontextmanager
async def assisting(
    run: str, database: str, registry: TopicRegistry, embedder: CachingEmbedder, qdrant_path: str
) -> AsyncIterator[Assistance]:
    async with contextlib.AsyncExitStack() as exits:
        llm = await exits.enter_async_context(FakeLlm())
        ml = await build_ml(
            MlSettings(
                mongo_db=database,
                qdrant_path=qdrant_path,
                grpc_host="127.0.0.1",
                grpc_port=0,
                grpc_grace_s=1,
                kb_import_file=str(FAQ),
                kb_variants_file=str(FAQ_VARIANTS),
                ml_sync_interval_s=0,
                llm_base_url=llm.base_url,
                llm_api_key=SecretStr(llm.api_key),
            ),
            embedder,
        )
        await ml.start()
        exits.push_async_callback(ml.stop)
        summarizer = await build_summarizer(
            SummarizerSettings(consumer_group=f"sum-{run}", kafka_retry_backoff_s=0.05, log_json=False),
            registry,
            llm_base_url=llm.base_url,
            llm_api_key=llm.api_key,
            ml_address=ml.address,
        )
        await summarizer.start()
        exits.push_async_callback(summarizer.stop)
        yield Assistance(llm, ml.address)


@pytest.fixture
async def stack(engines: dict[str, str]) -> AsyncIterator[Stack]:
    async with open_stack(engines) as holder:
        yield holder


@pytest.fixture
async def assisted_stack(
    engines: dict[str, str], embedder: CachingEmbedder, tmp_path: Path
) -> AsyncIterator[Stack]:
    async with open_stack(engines, embedder=embedder, qdrant_path=str(tmp_path / "qdrant")) as holder:
        yield holder


async def cleanup(bootstrap: str, registry: TopicRegistry, settings: GatewaySettings, bucket: str) -> None:
    mongo = mongo_client(settings)
    await mongo.drop_database(settings.mongo_db)
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
