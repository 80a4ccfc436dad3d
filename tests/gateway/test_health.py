"""The gateway's /livez, /readyz and /healthz: every dependency reported by name; message_saver is required,
ml, stats and notifications only degrade it."""

from __future__ import annotations

import httpx
import pytest

from gateway.context import TICKET_SERVICE
from gateway.core.config import Settings
from gateway.main import create_app
from t1lib.grpc.server import start_server
from tests.support.servers import LiveServer, free_port
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

DEPENDENCIES = {"mongo", "redis", "message_saver", "ml", "stats", "notifications", "s3", "kafka"}


async def test_readyz_reports_each_dependency_and_follows_message_saver(gateway_settings: Settings) -> None:
    port = free_port()
    settings = gateway_settings.model_copy(update={"tickets_grpc_addr": f"127.0.0.1:{port}"})

    async def message_saver() -> object:
        """A gRPC server whose health service says TicketService is SERVING (message_saver's contract)."""
        server, _port = await start_server(
            f"127.0.0.1:{port}", lambda _server: None, [TICKET_SERVICE], token=settings.service_token
        )
        return server

    async with LiveServer(create_app(settings)) as gateway, httpx.AsyncClient(base_url=gateway.url) as client:
        assert (await client.get("/livez")).json() == {"status": "ok"}
        assert (await client.get("/healthz")).json() == {"status": "ok"}
        down = await client.get("/readyz")
        assert down.status_code == 503
        assert set(down.json()["checks"]) == DEPENDENCIES
        assert down.json()["checks"]["message_saver"]["ok"] is False
        assert down.json()["checks"]["message_saver"]["required"] is True

        server = await message_saver()
        try:

            async def degraded() -> bool:
                response = await client.get("/readyz")
                return response.status_code == 200 and response.json()["status"] == "degraded"

            await eventually(degraded, timeout_s=15, what="ready (degraded: ml, stats, notifications away)")
            checks = (await client.get("/readyz")).json()["checks"]
            assert {name for name, check in checks.items() if check["ok"]} == {
                "mongo",
                "redis",
                "message_saver",
                "s3",
                "kafka",
            }
            assert {name for name, check in checks.items() if not check["required"]} == {
                "ml",
                "stats",
                "notifications",
                "s3",
                "kafka",
            }
        finally:
            await server.stop(0)  # type: ignore[attr-defined]

        async def unready() -> bool:
            response = await client.get("/readyz")
            return response.status_code == 503 and response.json()["checks"]["message_saver"]["ok"] is False

        await eventually(unready, timeout_s=15, what="503 once message_saver is gone")
