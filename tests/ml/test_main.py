"""`python -m services.ml` as a process: imports T1_KB_IMPORT_FILE into an empty base, serves, stops on
SIGTERM."""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.ml.servicer import SERVICE_NAME
from t1.ml.v1 import hints_service_pb2 as api
from t1.ml.v1 import hints_service_pb2_grpc as api_grpc
from t1lib.config import MongoSettings
from t1lib.grpc.client import open_channel
from t1lib.stores import mongo_client
from tests.ml.test_import import row, write_xlsx
from tests.support.knowledge import REPO

pytestmark = pytest.mark.integration


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_the_process_serves_and_stops_on_sigterm(engines: dict[str, str], tmp_path: Path) -> None:
    port = free_port()
    faq = write_xlsx(
        tmp_path / "faq.xlsx",
        [
            row("Как оформить карту Звезда?", "В любом отделении.", "Карта Звезда"),
            row("Как открыть вклад Луна?", "Онлайн в приложении.", "Вклад Луна"),
        ],
    )
    env = {
        **os.environ,
        "T1_GRPC_PORT": str(port),
        "T1_MONGO_DB": f"ml_test_main_{uuid.uuid4().hex[:10]}",
        "T1_QDRANT_PATH": str(tmp_path / "qdrant"),
        "T1_KB_IMPORT_FILE": str(faq),
        "T1_LOG_LEVEL": "INFO",
    }
    log_path = tmp_path / "ml.log"
    with log_path.open("wb") as log:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "services.ml", cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT
        )
    channel = open_channel(f"127.0.0.1:{port}", engines["T1_SERVICE_TOKEN"], default_timeout_s=2)
    client = mongo_client(MongoSettings())
    try:
        health: Any = health_pb2_grpc.HealthStub(channel)

        async def serving() -> bool:
            try:
                response = await health.Check(health_pb2.HealthCheckRequest(service=SERVICE_NAME))
            except Exception:
                return False
            return bool(response.status == health_pb2.HealthCheckResponse.SERVING)

        for _ in range(600):
            if await serving() or process.returncode is not None:
                break
            await asyncio.sleep(0.1)
        assert await serving(), log_path.read_text()
        stub = api_grpc.HintsServiceStub(channel)
        hints = (await stub.GetHints(api.GetHintsRequest(query="хочу открыть вклад луна"))).hints
        assert hints[0].question == "Как открыть вклад Луна?"

        process.send_signal(signal.SIGTERM)
        assert await asyncio.wait_for(process.wait(), timeout=30) == 0
        assert (tmp_path / "qdrant").is_dir()
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        await channel.close()
        await client.drop_database(env["T1_MONGO_DB"])
        await client.close()
