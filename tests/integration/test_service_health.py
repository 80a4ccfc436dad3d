"""Each service run as a process (`python -m ...`) serves /livez, /readyz and /metrics on T1_METRICS_PORT,
its readiness naming the engines it needs. (message_saver and ml: their tests/*/test_main.py; the bot:
tests/bot/test_health.py; the gateway: tests/gateway/test_health.py.)"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import httpx
import pytest
from confluent_kafka.admin import AdminClient

from t1lib.kafka.admin import all_topic_names, ensure_topics
from t1lib.kafka.topics import registry_with_prefix
from tests.support.servers import free_port
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]

SERVICES = {
    "stats": ("services.stats", {"kafka": True, "mongo": True}),
    # ml is not running: titles go on without categories (degraded, still ready)
    "summarizer": ("services.summarizer", {"kafka": True, "ml": False}),
    "notifications": ("services.notifications", {"kafka": True, "redis": True, "consumer": True}),
}


@pytest.mark.parametrize("name", sorted(SERVICES))
async def test_the_process_serves_livez_readyz_and_metrics(
    name: str, engines: dict[str, str], tmp_path: Path
) -> None:
    module, expected = SERVICES[name]
    suffix = uuid.uuid4().hex[:10]
    prefix = f"test-health-{suffix}."
    metrics_port = free_port()
    env = {
        **os.environ,
        "T1_METRICS_PORT": str(metrics_port),
        "T1_METRICS_HOST": "127.0.0.1",
        "T1_KAFKA_TOPIC_PREFIX": prefix,
        "T1_CONSUMER_GROUP": f"{name}-{suffix}",
        "T1_GRPC_PORT": str(free_port()),
        "T1_MONGO_DB": f"health_{suffix}",
        "T1_ML_GRPC_ADDR": f"127.0.0.1:{free_port()}",
        "T1_NOTIFICATIONS_PORT": str(free_port()),
        "T1_JWT_SECRET": uuid.uuid4().hex,
    }
    # notifications only reads its topic (message_saver makes it); the others create theirs
    await asyncio.to_thread(ensure_topics, engines["T1_KAFKA_BOOTSTRAP"], registry_with_prefix(prefix))
    log_path = tmp_path / f"{name}.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", module, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{metrics_port}", timeout=5) as client:

            async def ready() -> bool:
                assert process.returncode is None, log_path.read_text()
                try:
                    return (await client.get("/readyz")).status_code == 200
                except httpx.TransportError:
                    return False

            await eventually(ready, timeout_s=60, what=f"{name}'s /readyz")
            body = (await client.get("/readyz")).json()
            assert {check: result["ok"] for check, result in body["checks"].items()} == expected
            assert body["status"] == ("ok" if all(expected.values()) else "degraded")
            assert (await client.get("/livez")).json() == {"status": "ok"}
            assert "python_info" in (await client.get("/metrics")).text
        process.send_signal(signal.SIGTERM)
        # uvicorn (notifications) re-raises the signal once it has shut down gracefully
        stopped = await asyncio.wait_for(process.wait(), 30)
        assert stopped in (0, -signal.SIGTERM), log_path.read_text()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        admin = AdminClient({"bootstrap.servers": engines["T1_KAFKA_BOOTSTRAP"]})
        for future in admin.delete_topics(all_topic_names(registry_with_prefix(prefix))).values():
            future.exception(15)
