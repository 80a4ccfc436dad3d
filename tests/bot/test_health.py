"""The bot (no HTTP endpoint of its own in polling mode) reports its readiness on the process's ops server."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from services.bot.service import BotService
from t1lib.health import PROBES, OpsServer

pytestmark = pytest.mark.integration


async def test_a_running_bot_is_ready_with_kafka_redis_and_s3(bot: BotService) -> None:
    server = OpsServer(port=0, probes=PROBES)  # what configure_telemetry starts on T1_METRICS_PORT
    await asyncio.to_thread(server.start)
    try:
        async with httpx.AsyncClient(base_url=server.url, timeout=5) as client:
            response = await client.get("/readyz")
            body = response.json()
            assert response.status_code == 200, body
            assert body["status"] == "ok"
            assert {name: check["required"] for name, check in body["checks"].items()} == {
                "kafka": True,
                "redis": True,
                "s3": False,
            }
            assert (await client.get("/livez")).status_code == 200
    finally:
        await asyncio.to_thread(server.stop)
