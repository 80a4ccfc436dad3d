"""t1_ws_connections on the real gateway and notifications (Kafka, Redis, MongoDB): a console's socket
counts once in notifications and once in the gateway's relay, until it closes."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest
import websockets
from prometheus_client import REGISTRY as METRICS
from websockets.typing import Subprotocol

from gateway.core.config import Settings
from gateway.main import create_app as create_gateway
from services.notifications.app import create_app as create_notifications
from services.notifications.config import Settings as NotificationsSettings
from t1lib.kafka.topics import TopicRegistry
from t1lib.live_auth import PROTOCOL, offered_protocols
from tests.gateway.conftest import ADMIN_PASSWORD, login
from tests.support.servers import LiveServer
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


def connections() -> float:
    return METRICS.get_sample_value("t1_ws_connections") or 0.0


@contextlib.asynccontextmanager
async def live_socket(url: str, token: str) -> AsyncIterator[websockets.ClientConnection]:
    offered = [Subprotocol(protocol) for protocol in offered_protocols(token)]
    async with websockets.connect(url, subprotocols=offered) as socket:
        assert socket.subprotocol == PROTOCOL
        assert '"hello"' in str(await socket.recv())  # notifications accepted it
        yield socket


async def test_open_sockets_are_counted_in_notifications_and_in_the_gateway_relay(
    gateway_settings: Settings, registry: TopicRegistry
) -> None:
    notifications_settings = NotificationsSettings(jwt_secret=gateway_settings.jwt_secret)
    async with LiveServer(create_notifications(notifications_settings, registry)) as notifications:
        async with httpx.AsyncClient(base_url=notifications.url) as probe:

            async def ready() -> bool:
                return (await probe.get("/healthz")).status_code == 200

            await eventually(ready, what="notifications consuming")
        direct_url = notifications.url.replace("http", "ws", 1) + "/ws"
        settings = gateway_settings.model_copy(update={"notifications_ws_url": direct_url})
        async with (
            LiveServer(create_gateway(settings)) as gateway,
            httpx.AsyncClient(base_url=gateway.url) as api,
        ):
            token = (await login(api, settings.admin_username, ADMIN_PASSWORD))["access_token"]
            before = connections()
            async with live_socket(direct_url, token):
                assert connections() == before + 1
                async with live_socket(gateway.url.replace("http", "ws", 1) + "/api/v1/ws", token):
                    assert connections() == before + 3  # notifications' own and the relay's
                await eventually(lambda: connections() == before + 1, what="the relayed socket gone")
            await eventually(lambda: connections() == before, what="every socket gone")
