"""`python -m services.message_saver` as a process: starts from the environment, serves, stops on SIGTERM."""

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

import httpx
import pytest
from confluent_kafka.admin import AdminClient
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.message_saver.servicer import SERVICE_NAME
from t1.tickets.v1 import ticket_service_pb2 as api
from t1.tickets.v1 import ticket_service_pb2_grpc as api_grpc
from t1lib.config import MongoSettings
from t1lib.grpc.client import open_channel
from t1lib.kafka.admin import all_topic_names
from t1lib.kafka.producer import EventProducer
from t1lib.kafka.topics import registry_with_prefix
from t1lib.stores import mongo_client
from tests.message_saver.conftest import customer_message
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def test_the_process_serves_and_stops_on_sigterm(engines: dict[str, str], tmp_path: Path) -> None:
    suffix = uuid.uuid4().hex[:10]
    port = free_port()
    metrics_port = free_port()
    prefix = f"test-ms-main-{suffix}."
    env = {
        **os.environ,
        "T1_GRPC_PORT": str(port),
        "T1_METRICS_PORT": str(metrics_port),
        "T1_MONGO_DB": f"ms_test_main_{suffix}",
        "T1_KAFKA_TOPIC_PREFIX": prefix,
        "T1_CONSUMER_GROUP": f"message_saver-{suffix}",
        "T1_LOG_LEVEL": "INFO",
        "T1_SEARCH_DIR": str(tmp_path / "search"),
    }
    log_path = tmp_path / "message_saver.log"
    log = log_path.open("wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "services.message_saver",
        cwd=REPO,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    channel = open_channel(f"127.0.0.1:{port}", engines["T1_SERVICE_TOKEN"], default_timeout_s=2)
    registry = registry_with_prefix(prefix)
    producer = EventProducer(engines["T1_KAFKA_BOOTSTRAP"], "test-bot", registry=registry)
    client = mongo_client(MongoSettings())
    try:
        health: Any = health_pb2_grpc.HealthStub(channel)  # the stubs package types no methods

        async def serving() -> bool:
            try:
                response = await health.Check(health_pb2.HealthCheckRequest(service=SERVICE_NAME))
            except Exception:
                return False
            return bool(response.status == health_pb2.HealthCheckResponse.SERVING)

        await eventually(serving, timeout_s=60, what="the gRPC server")
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{metrics_port}", timeout=5) as ops:

            async def ready() -> bool:
                return (await ops.get("/readyz")).status_code == 200

            await eventually(ready, timeout_s=30, what="/readyz")
            checks = (await ops.get("/readyz")).json()["checks"]
            assert {name for name, check in checks.items() if check["ok"]} >= {"kafka", "mongo", "redis"}
            assert (await ops.get("/livez")).status_code == 200
        await producer.publish(customer_message(800, 1, "Проверка процесса"))
        database = client[env["T1_MONGO_DB"]]

        async def stored() -> bool:
            return await database["tickets"].count_documents({}) == 1

        await eventually(stored, what="the message stored by the process")
        stub = api_grpc.TicketServiceStub(channel)
        listed = await stub.ListTickets(api.ListTicketsRequest())
        assert [ticket.last_message_preview for ticket in listed.tickets] == ["Проверка процесса"]

        process.send_signal(signal.SIGTERM)
        returncode = await asyncio.wait_for(process.wait(), 30)
        output = log_path.read_text()
        assert returncode == 0, output
        assert '"service": "message_saver"' in output
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()
        log.close()
        await channel.close()
        await asyncio.to_thread(producer.close)
        await client.drop_database(env["T1_MONGO_DB"])
        await client.close()
        admin = AdminClient({"bootstrap.servers": engines["T1_KAFKA_BOOTSTRAP"]})
        for future in admin.delete_topics(all_topic_names(registry), operation_timeout=10).values():
            await asyncio.to_thread(future.result, 15)


def test_missing_configuration_stops_the_process_with_the_variable_names() -> None:
    env = {key: value for key, value in os.environ.items() if not key.startswith("T1_")}
    result = subprocess.run(
        [sys.executable, "-m", "services.message_saver"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "T1_KAFKA_BOOTSTRAP is required" in result.stderr
    assert "T1_MONGO_URL is required" in result.stderr
