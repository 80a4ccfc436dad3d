"""Operator replies reach the customer exactly once even when a process dies between storing and
publishing, and operators see what became of each reply (sending, sent, failed with the reason) with a
retry for a failed one."""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest

from services.message_saver.app import build_app
from services.message_saver.domain import operator_message_id
from services.message_saver.replies import reply_event_id
from t1.tickets.v1 import ticket_service_pb2 as api
from t1lib.stores import mongo_client
from tests.e2e.conftest import ADMIN_PASSWORD, LiveEvents, Operator, Stack, login
from tests.support.servers import free_port
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


def chat() -> int:
    return random.randrange(10**9, 2 * 10**9)


async def taken_ticket(stack: Stack, chat_id: int) -> dict[str, Any]:
    await stack.customer_says(chat_id, "Здравствуйте! Не приходит перевод")
    ticket = await stack.ticket_of(chat_id)
    taken = await stack.api.post(f"/api/v1/tickets/{ticket['id']}/take", headers=stack.admin.headers)
    assert taken.status_code == 200, taken.text
    return ticket


async def send(stack: Stack, ticket_id: str, text: str, operator: Operator | None = None) -> dict[str, Any]:
    response = await stack.api.post(
        f"/api/v1/tickets/{ticket_id}/messages",
        json={"text": text, "client_message_id": uuid.uuid4().hex},
        headers=(operator or stack.admin).headers,
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def delivered_texts(stack: Stack, chat_id: int, count: int) -> list[str | None]:
    return [message.text for message in await stack.bot_sent(chat_id, count)]


async def replace_message_saver(stack: Stack) -> None:
    """A new message_saver instance on the same port (the gateway's channel reconnects to it)."""
    port = stack.saver.port
    await stack.saver.stop()
    replacement = await build_app(stack.saver_settings.model_copy(update={"grpc_port": port}), stack.registry)
    await replacement.start()
    stack.saver = replacement


async def test_a_reply_stored_but_never_published_reaches_the_customer_once(stack: Stack) -> None:
    chat_id = chat()
    ticket = await taken_ticket(stack, chat_id)
    # message_saver dies between storing the reply and publishing it: the reply and its outbox entry
    # are stored, nothing is published.
    lost, _ticket, _reply = await stack.saver.servicer.desk.store_operator_message(
        api.AddOperatorMessageRequest(
            ticket_id=ticket["id"], operator_id=stack.admin.id, text="Перевод зачислен, проверьте счёт"
        )
    )
    assert await stack.saver.outbox.is_pending(reply_event_id(lost["_id"]))
    await replace_message_saver(stack)  # its relay publishes what was left at start

    # A later reply through the same path: once it is in Telegram, everything before it is too.
    await send(stack, ticket["id"], "Контрольный ответ")
    assert await delivered_texts(stack, chat_id, 2) == [
        "Перевод зачислен, проверьте счёт",
        "Контрольный ответ",
    ]
    assert len(stack.telegram.state.bot_messages(chat_id)) == 2
    assert not await stack.saver.outbox.is_pending(reply_event_id(lost["_id"]))


async def spawn_gateway(stack: Stack, env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    with log.open("ab") as output:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "gateway", cwd=REPO, env=env, stdout=output, stderr=subprocess.STDOUT
        )


async def test_the_gateway_killed_right_after_the_reply_is_stored_loses_nothing(
    stack: Stack, tmp_path: Path
) -> None:
    """The gateway only asks message_saver to store the reply; message_saver publishes it. The killed
    gateway's Kafka is unreachable, so had it still published the reply itself, the reply would be
    stored and never sent whatever the timing of the kill."""
    chat_id = chat()
    ticket = await taken_ticket(stack, chat_id)
    port = free_port()
    env = {
        **os.environ,
        "T1_GATEWAY_PORT": str(port),
        "T1_MONGO_DB": stack.saver_settings.mongo_db,
        "T1_S3_BUCKET": stack.saver_settings.s3_bucket,
        "T1_JWT_SECRET": uuid.uuid4().hex,
        "T1_ADMIN_USERNAME": "admin",
        "T1_ADMIN_PASSWORD": ADMIN_PASSWORD,
        "T1_TICKETS_GRPC_ADDR": stack.saver.address,
        "T1_ML_GRPC_ADDR": "127.0.0.1:1",
        "T1_STATS_GRPC_ADDR": "127.0.0.1:1",
        "T1_NOTIFICATIONS_WS_URL": "ws://127.0.0.1:1/ws",
        "T1_KAFKA_BOOTSTRAP": f"127.0.0.1:{free_port()}",
        "T1_ADMIN_PASSWORD_FILE": str(tmp_path / "admin-password"),
        "T1_LOG_JSON": "false",
    }
    log = tmp_path / "gateway.log"
    process = await spawn_gateway(stack, env, log)
    mongo = mongo_client(stack.saver_settings)
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as gateway:

            async def up() -> bool:
                with contextlib.suppress(httpx.HTTPError):
                    return (await gateway.get("/healthz")).status_code == 200
                assert process.returncode is None, log.read_text()[-3000:]
                return False

            await eventually(up, timeout_s=60, what="the gateway subprocess")
            admin = await login(gateway, "admin", ADMIN_PASSWORD)
            client_id = uuid.uuid4().hex
            posting = asyncio.create_task(
                gateway.post(
                    f"/api/v1/tickets/{ticket['id']}/messages",
                    json={"text": "Ответ перед падением шлюза", "client_message_id": client_id},
                    headers=admin.headers,
                )
            )
            messages = mongo[stack.saver_settings.mongo_db]["messages"]

            async def stored() -> bool:
                return (
                    await messages.find_one({"_id": operator_message_id(ticket["id"], client_id)}) is not None
                )

            await eventually(stored, what="the reply stored")
            process.send_signal(signal.SIGKILL)
            await process.wait()
            with contextlib.suppress(httpx.HTTPError):
                await posting
        await send(stack, ticket["id"], "Контрольный ответ")
        assert await delivered_texts(stack, chat_id, 2) == ["Ответ перед падением шлюза", "Контрольный ответ"]
        assert len(stack.telegram.state.bot_messages(chat_id)) == 2
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGKILL)
            await process.wait()
        await mongo.close()


def delivery_update(message_id: str, status: str) -> Any:
    def matches(event: dict[str, Any]) -> bool:
        message = event.get("message") or {}
        return (
            event["type"] == "message.updated"
            and message.get("id") == message_id
            and message.get("delivery_status") == status
        )

    return matches


async def block(stack: Stack, chat_id: int, blocked: bool) -> None:
    response = await stack.sandbox.post(f"/sandbox/chats/{chat_id}/block", json={"blocked": blocked})
    assert response.status_code == 200, response.text


async def shown_message(stack: Stack, ticket_id: str, message_id: str) -> dict[str, Any]:
    return next(item for item in await stack.messages(ticket_id) if item["id"] == message_id)


async def test_a_reply_to_a_customer_who_blocked_the_bot_fails_visibly_and_is_retried(stack: Stack) -> None:
    chat_id = chat()
    ticket = await taken_ticket(stack, chat_id)
    live = await stack.listen(stack.admin)
    await block(stack, chat_id, True)

    message = await send(stack, ticket["id"], "Ваш перевод зачислен")
    assert (message["delivery_status"], message["delivery_error"]) == ("sending", None)
    await retried_until_sent(stack, live, ticket["id"], message, "Ваш перевод зачислен")


async def test_a_file_to_a_customer_who_blocked_the_bot_fails_visibly_and_is_retried(stack: Stack) -> None:
    chat_id = chat()
    ticket = await taken_ticket(stack, chat_id)
    live = await stack.listen(stack.admin)
    await block(stack, chat_id, True)

    response = await stack.api.post(
        f"/api/v1/tickets/{ticket['id']}/messages",
        data={"text": "Выписка по счёту", "client_message_id": uuid.uuid4().hex},
        files={"file": ("выписка.pdf", b"%PDF-1.4\n%%EOF\n", "application/pdf")},
        headers=stack.admin.headers,
    )
    assert response.status_code == 201, response.text
    message = response.json()
    assert message["delivery_status"] == "sending"
    await retried_until_sent(stack, live, ticket["id"], message, "Выписка по счёту")
    methods = [sent.method for sent in stack.telegram.state.bot_messages(chat_id)]
    assert methods == ["sendDocument", "sendMessage"]  # the file, then the later reply


async def retried_until_sent(
    stack: Stack, live: LiveEvents, ticket_id: str, message: dict[str, Any], text: str
) -> None:
    """`message` (sent while the customer blocks the bot) fails with Telegram's reason, live and over
    REST; after unblocking, a retry delivers it, once."""
    message_id = message["id"]
    chat_id = (await stack.api.get(f"/api/v1/tickets/{ticket_id}", headers=stack.admin.headers)).json()[
        "customer"
    ]["chat_id"]
    failed = await live.wait(delivery_update(message_id, "failed"), timeout_s=30)
    assert "blocked" in failed["message"]["delivery_error"]
    stored = await shown_message(stack, ticket_id, message_id)
    assert (stored["delivery_status"], stored["delivery_error"]) == (
        "failed",
        failed["message"]["delivery_error"],
    )

    retry_path = f"/api/v1/tickets/{ticket_id}/messages/{message_id}/retry"
    customer_message = next(
        item for item in await stack.messages(ticket_id) if item["direction"] == "customer"
    )
    not_a_reply = await stack.api.post(
        f"/api/v1/tickets/{ticket_id}/messages/{customer_message['id']}/retry", headers=stack.admin.headers
    )
    assert not_a_reply.status_code == 409, not_a_reply.text

    await block(stack, chat_id, False)
    retried = await stack.api.post(retry_path, headers=stack.admin.headers)
    assert retried.status_code == 200, retried.text
    assert (retried.json()["delivery_status"], retried.json()["delivery_error"]) == ("sending", None)
    await live.wait(delivery_update(message_id, "sent"), timeout_s=30)
    stored = await shown_message(stack, ticket_id, message_id)
    assert (stored["delivery_status"], stored["delivery_error"]) == ("sent", None)
    again = await stack.api.post(retry_path, headers=stack.admin.headers)
    assert again.status_code == 409, again.text  # delivered: nothing to retry

    # Exactly once in Telegram: a later reply is the only other message there.
    await send(stack, ticket_id, "Контрольный ответ")
    sent = await stack.bot_sent(chat_id, 2)
    assert [item.text for item in sent] == [text, "Контрольный ответ"]
    assert len(stack.telegram.state.bot_messages(chat_id)) == 2


async def test_only_an_operator_who_may_act_on_the_ticket_retries(stack: Stack) -> None:
    chat_id = chat()
    ticket = await taken_ticket(stack, chat_id)  # the admin's
    await block(stack, chat_id, True)
    message = await send(stack, ticket["id"], "Ответ заблокированному клиенту")

    async def failed() -> bool:
        shown = await shown_message(stack, ticket["id"], message["id"])
        return bool(shown["delivery_status"] == "failed")

    await eventually(failed, what="the failure shown")
    other = await stack.operator(f"oper{uuid.uuid4().hex[:6]}")
    denied = await stack.api.post(
        f"/api/v1/tickets/{ticket['id']}/messages/{message['id']}/retry", headers=other.headers
    )
    assert denied.status_code == 403, denied.text
    unknown = await stack.api.post(
        f"/api/v1/tickets/{ticket['id']}/messages/{uuid.uuid4()}/retry", headers=stack.admin.headers
    )
    assert unknown.status_code == 404, unknown.text
