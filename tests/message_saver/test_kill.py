"""message_saver killed with SIGKILL mid-stream (no graceful commit) and started again: at-least-once
delivery plus idempotent intake leave every customer message stored exactly once."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from confluent_kafka.admin import AdminClient

from t1.tickets.v1 import ticket_service_pb2 as api
from t1.tickets.v1 import ticket_service_pb2_grpc as api_grpc
from t1lib.config import MongoSettings
from t1lib.grpc.client import open_channel
from t1lib.kafka.admin import all_topic_names, ensure_topics
from t1lib.kafka.producer import EventProducer
from t1lib.kafka.topics import registry_with_prefix
from t1lib.stores import mongo_client
from tests.message_saver.conftest import customer_message
from tests.support.servers import free_port
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
CHATS, FIRST_BATCH, SECOND_BATCH = 5, 12, 6


async def spawn(env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as output:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "services.message_saver",
            cwd=REPO,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )


async def test_sigkill_mid_stream_loses_nothing_and_duplicates_nothing(
    engines: dict[str, str], tmp_path: Path
) -> None:
    suffix = uuid.uuid4().hex[:10]
    prefix = f"test-ms-kill-{suffix}."
    env = {
        **os.environ,
        "T1_GRPC_PORT": str(free_port()),
        "T1_MONGO_DB": f"ms_kill_{suffix}",
        "T1_KAFKA_TOPIC_PREFIX": prefix,
        "T1_CONSUMER_GROUP": f"message_saver-{suffix}",
        "T1_SEARCH_DIR": str(tmp_path / "search"),
    }
    registry = registry_with_prefix(prefix)
    bootstrap = engines["T1_KAFKA_BOOTSTRAP"]
    await asyncio.to_thread(ensure_topics, bootstrap, registry)
    producer = EventProducer(bootstrap, "test-bot", registry=registry)
    client = mongo_client(MongoSettings())
    messages = client[env["T1_MONGO_DB"]]["messages"]
    log = tmp_path / "message_saver.log"
    process = await spawn(env, log)
    try:

        async def publish(numbers: range) -> None:
            for number in numbers:
                for chat in range(CHATS):
                    await producer.publish(
                        customer_message(900 + chat, number, f"Чат {chat}, сообщение {number}")
                    )

        async def opened() -> bool:
            return await messages.count_documents({}) >= CHATS

        # Every chat's ticket first, so the rest are follow-ups: entries of the tickets' logs.
        await publish(range(1, 2))
        await eventually(opened, timeout_s=60, what="the opening messages")
        await publish(range(2, FIRST_BATCH + 1))

        async def some_stored() -> bool:
            return await messages.count_documents({}) >= 15

        await eventually(some_stored, timeout_s=60, what="the first messages")
        process.send_signal(signal.SIGKILL)
        await process.wait()
        await publish(range(FIRST_BATCH + 1, FIRST_BATCH + SECOND_BATCH + 1))
        process = await spawn(env, log)
        total = CHATS * (FIRST_BATCH + SECOND_BATCH)

        async def all_stored() -> bool:
            return await messages.count_documents({}) >= total

        await eventually(all_stored, timeout_s=90, what="every message after the restart")
        await asyncio.sleep(2)  # redelivered records are handled by now
        stored = [document["text"] async for document in messages.find({})]
        assert len(stored) == total, log.read_text()[-3000:]
        assert len(set(stored)) == total
        tickets = client[env["T1_MONGO_DB"]]["tickets"]
        assert await tickets.count_documents({}) == CHATS
        # Ticket documents written before the kill lag their logs: the new process catches them up.
        expected = range(1, FIRST_BATCH + SECOND_BATCH + 1)
        async with open_channel(f"127.0.0.1:{env['T1_GRPC_PORT']}", engines["T1_SERVICE_TOKEN"]) as channel:
            stub = api_grpc.TicketServiceStub(channel)
            async for ticket in tickets.find({}):
                chat = int(ticket["chat_id"]) - 900
                listed = await stub.ListMessages(
                    api.ListMessagesRequest(ticket_id=ticket["_id"], page_size=100), timeout=10
                )
                assert [m.text for m in listed.messages] == [f"Чат {chat}, сообщение {n}" for n in expected]
                shown = await stub.GetTicket(api.GetTicketRequest(ticket_id=ticket["_id"]), timeout=10)
                assert shown.ticket.last_message_preview == f"Чат {chat}, сообщение {expected[-1]}"
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            await asyncio.wait_for(process.wait(), 30)
        await asyncio.to_thread(producer.close)
        await client.drop_database(env["T1_MONGO_DB"])
        await client.close()
        admin = AdminClient({"bootstrap.servers": bootstrap})
        for future in admin.delete_topics(all_topic_names(registry), operation_timeout=10).values():
            await asyncio.to_thread(future.result, 15)
