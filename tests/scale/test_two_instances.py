"""The real stack at two instances of each service (as `make up SCALE=2` runs it): bots in webhook mode,
two message_saver instances on the embedded store (FerretDB), two notifications behind two gateways.

- two first messages of one chat, taken in by different bots, open one ticket;
- both bots consume operator_replies (the group's partitions are shared) and each reply reaches the
  customer exactly once;
- each notifications instance delivers to its own sockets;
- take stays atomic with two message_saver instances, whichever instance each call reaches;
- the writer killed with SIGKILL mid-stream: the other instance takes over, and every customer message is
  stored exactly once (shown with a later sentinel).

ml at two instances (an edit served by both within a second, the Qdrant collection never dropped) is
tests/ml/test_instances.py."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import time
import uuid
from collections.abc import Iterator
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import websockets
from confluent_kafka.admin import AdminClient
from pymongo import MongoClient
from redis import Redis
from websockets.typing import Subprotocol

from services.bot.webhook import SECRET_HEADER
from t1lib.live_auth import offered_protocols
from tests.support.process_stack import Customer, Operator, ProcessStack
from tests.support.waiting import eventually, wait_until

pytestmark = pytest.mark.integration

SCALE = {"message_saver": 2, "notifications": 2, "bot": 2, "gateway": 2, "stats": 2}


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory, engines: dict[str, str]) -> Iterator[ProcessStack]:
    with ProcessStack(
        ["message_saver", "notifications", "bot", "gateway", "stats"],
        scale=SCALE,
        log_dir=tmp_path_factory.mktemp("two-instances"),
        # a killed writer is replaced within seconds, not the default 10
        extra_env={
            "T1_WRITER_LEASE_TTL_S": "4",
            "T1_WRITER_LEASE_MARGIN_S": "1.5",
            "T1_OCR_ENABLED": "false",
        },
    ) as stack:
        yield stack


def update(chat_id: int, message_id: int, text: str) -> dict[str, Any]:
    """A Telegram Update with a customer's text message, as Telegram posts it to a webhook."""
    sender = {"id": chat_id, "is_bot": False, "first_name": "Иван", "username": f"c{chat_id}"}
    return {
        "update_id": 10_000_000 + message_id,
        "message": {
            "message_id": message_id,
            "from": sender,
            "chat": {"id": chat_id, "type": "private", "first_name": "Иван"},
            "date": int(time.time()),
            "text": text,
        },
    }


async def post_update(stack: ProcessStack, bot: str, body: dict[str, Any]) -> None:
    async with httpx.AsyncClient(timeout=10) as client:
        response = await client.post(
            stack.webhook_url(bot), json=body, headers={SECRET_HEADER: stack.webhook_secret}
        )
    assert response.status_code == 200, response.text


def new_chat() -> int:
    return 2_000_000 + uuid.uuid4().int % 1_000_000_000


async def tickets_of(operator: Operator, chat_id: int) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    cursor = ""
    while True:
        page = (await operator.api.get("/api/v1/tickets", params={"cursor": cursor} if cursor else {})).json()
        found += [item for item in page["items"] if item["customer"]["chat_id"] == chat_id]
        cursor = page.get("next_cursor") or ""
        if not cursor:
            return found


async def texts_of(operator: Operator, ticket_id: str) -> list[str]:
    response = await operator.api.get(f"/api/v1/tickets/{ticket_id}/messages")
    response.raise_for_status()
    return [str(item["text"]) for item in response.json()["items"]]


async def test_two_first_messages_of_one_chat_on_two_bots_open_one_ticket(stack: ProcessStack) -> None:
    admin = await stack.operator()
    chats = [new_chat() for _ in range(5)]
    for chat_id in chats:
        await asyncio.gather(
            post_update(stack, "bot", update(chat_id, 1, "Здравствуйте, не работает карта")),
            post_update(stack, "bot-2", update(chat_id, 2, "Пишет «операция отклонена»")),
        )
    for chat_id in chats:
        await eventually(lambda chat_id=chat_id: _has_messages(admin, chat_id, 2), what=f"chat {chat_id}")
        tickets = await tickets_of(admin, chat_id)
        assert len(tickets) == 1, tickets
        texts = await texts_of(admin, tickets[0]["id"])
        assert sorted(texts) == sorted(["Здравствуйте, не работает карта", "Пишет «операция отклонена»"])
    await admin.close()


async def _has_messages(operator: Operator, chat_id: int, count: int) -> bool:
    tickets = await tickets_of(operator, chat_id)
    return bool(tickets) and sum([len(await texts_of(operator, t["id"])) for t in tickets]) >= count


def group_members(stack: ProcessStack, group: str) -> dict[str, set[int]]:
    """Member id -> the partitions it holds, of a consumer group."""
    admin = AdminClient({"bootstrap.servers": stack.engine_env["T1_KAFKA_BOOTSTRAP"]})
    description = admin.describe_consumer_groups([group])[group].result(15)
    return {
        member.member_id: {part.partition for part in member.assignment.topic_partitions}
        for member in description.members
    }


async def test_both_bots_share_the_replies_and_each_reply_reaches_its_customer_once(
    stack: ProcessStack,
) -> None:
    members: dict[str, set[int]] = {}

    def shared() -> bool:
        members.clear()
        members.update(group_members(stack, stack.group("bot")))
        return len(members) == 2 and all(members.values())

    wait_until(shared, 60, "two bots, each holding some of operator_replies' partitions")
    first, second = members.values()
    assert not first & second

    admin = await stack.operator()
    customers = [stack.customer() for _ in range(8)]
    for customer in customers:
        await customer.says("Вопрос про перевод")
    tickets = [await admin.ticket_of(customer.chat_id) for customer in customers]
    for ticket in tickets:
        await admin.take(ticket["id"])
        await admin.reply(ticket["id"], f"Ответ {ticket['id'][:6]}")
    # A sentinel reply on each chat after the first: once it arrived, a duplicate of the first would have too.
    for ticket in tickets:
        await admin.reply(ticket["id"], "Что-нибудь ещё?")
    for customer, ticket in zip(customers, tickets, strict=True):
        texts: list[str] = []

        async def sentinel_arrived(customer: Customer = customer, texts: list[str] = texts) -> bool:
            sent = (await customer.sandbox.get(f"/sandbox/chats/{customer.chat_id}/sent")).json()["result"]
            texts[:] = [str(item["message"].get("text")) for item in sent]
            return "Что-нибудь ещё?" in texts

        await eventually(sentinel_arrived, 30, f"the sentinel reply in chat {customer.chat_id}")
        assert texts.count(f"Ответ {ticket['id'][:6]}") == 1, texts
        assert texts.count("Что-нибудь ещё?") == 1, texts
        await customer.close()
    await admin.close()


async def test_a_killed_bot_hands_its_partitions_over_and_every_reply_arrives_once(
    stack: ProcessStack,
) -> None:
    """SIGKILL one bot while replies flow: the other takes over its partitions (after the group's session
    timeout), and what the dead one had taken but not acknowledged is delivered again, once (the ledger)."""
    wait_until(lambda: len(group_members(stack, stack.group("bot"))) == 2, 60, "two bots in the group")
    every_partition = set().union(*group_members(stack, stack.group("bot")).values())
    admin = await stack.operator()
    customers = [stack.customer() for _ in range(8)]
    for customer in customers:
        await customer.says("Не пришли деньги")
    tickets = [await admin.ticket_of(customer.chat_id) for customer in customers]
    for ticket in tickets:
        await admin.take(ticket["id"])

    async def reply_round(text: str) -> None:
        await asyncio.gather(*(admin.reply(ticket["id"], text) for ticket in tickets))

    first_round = asyncio.create_task(reply_round("Проверяем перевод."))
    process = stack.processes["bot-2"].popen
    assert process is not None
    os.killpg(process.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    await first_round
    await reply_round("Перевод найден.")
    wait_until(
        lambda: list(group_members(stack, stack.group("bot")).values()) == [every_partition],
        60,
        "the surviving bot to hold every partition",
    )
    print(f"bot-2's partitions moved {time.monotonic() - killed_at:.1f} s after the SIGKILL")
    await reply_round("Что-нибудь ещё?")  # the sentinel: once it arrived, a duplicate would have too
    for customer in customers:
        texts: list[str] = []

        async def sentinel_arrived(customer: Customer = customer, texts: list[str] = texts) -> bool:
            sent = (await customer.sandbox.get(f"/sandbox/chats/{customer.chat_id}/sent")).json()["result"]
            texts[:] = [str(item["message"].get("text")) for item in sent]
            return "Что-нибудь ещё?" in texts

        await eventually(sentinel_arrived, 90, f"the sentinel reply in chat {customer.chat_id}")
        replies = [
            text for text in texts if text in ("Проверяем перевод.", "Перевод найден.", "Что-нибудь ещё?")
        ]
        assert replies == ["Проверяем перевод.", "Перевод найден.", "Что-нибудь ещё?"], texts
        await customer.close()
    await admin.close()


async def test_each_notifications_instance_delivers_to_its_own_sockets(stack: ProcessStack) -> None:
    admin = await stack.operator()
    sockets = [
        await websockets.connect(
            f"ws://127.0.0.1:{stack.ports[gateway]}/api/v1/ws",
            subprotocols=[Subprotocol(protocol) for protocol in offered_protocols(admin.token)],
        )
        for gateway in ("gateway", "gateway-2")
    ]
    customer = stack.customer()
    text = f"Не приходит СМС {uuid.uuid4().hex[:6]}"
    try:
        await customer.says(text)
        for socket in sockets:
            await asyncio.wait_for(_until_seen(socket, text), 30)
    finally:
        for socket in sockets:
            await socket.close()
        await customer.close()
        await admin.close()


async def _until_seen(socket: websockets.ClientConnection, text: str) -> None:
    while text not in str(await socket.recv()):
        pass


async def test_both_stats_instances_count_every_ticket(stack: ProcessStack) -> None:
    """Each stats instance reads every event (a group of its own), so whichever answers, the figures agree."""
    admin = await stack.operator()
    customers = [stack.customer() for _ in range(3)]
    for customer in customers:
        await customer.says("Хочу закрыть счёт")
    for customer in customers:
        ticket = await admin.ticket_of(customer.chat_id)
        await admin.take(ticket["id"])
        await admin.reply(ticket["id"], "Счёт закрыт.")
        await admin.close_ticket(ticket["id"])
    today = datetime.now(ZoneInfo("Europe/Minsk")).date().isoformat()
    window = {"from": today, "to": today}
    asked = {
        "stats": grpc_calls(stack, "stats", "GetSummary"),
        "stats-2": grpc_calls(stack, "stats-2", "GetSummary"),
    }

    async def both_count_them() -> bool:
        answers = [(await admin.api.get("/api/v1/stats/summary", params=window)).json() for _ in range(4)]
        return all(answer["tickets_closed"] >= len(customers) for answer in answers)

    await eventually(both_count_them, 60, "both stats instances to count the closed tickets")
    answers = [(await admin.api.get("/api/v1/stats/summary", params=window)).json() for _ in range(4)]
    assert all(answer == answers[0] for answer in answers), answers
    for instance, before in asked.items():  # the gateway's calls went round both instances
        assert grpc_calls(stack, instance, "GetSummary") > before
    for customer in customers:
        await customer.close()
    await admin.close()


def grpc_calls(stack: ProcessStack, instance: str, method: str) -> float:
    """t1_grpc_requests_total of `method` on an instance's /metrics (forwarded calls included)."""
    metrics = httpx.get(f"http://127.0.0.1:{stack.metrics_ports[instance]}/metrics", timeout=10).text
    total = 0.0
    for line in metrics.splitlines():
        if line.startswith("t1_grpc_requests_total{") and f'/{method}"' in line:
            total += float(line.rsplit(" ", 1)[1])
    return total


async def test_take_is_atomic_with_two_message_saver_instances(stack: ProcessStack) -> None:
    anna = await stack.operator(gateway="gateway")
    username, password = f"boris{uuid.uuid4().hex[:6]}", "пароль-бориса-2026"
    boris_account = await anna.create_operator(username, password)
    boris = await stack.operator(username, password, gateway="gateway-2")
    customers = [stack.customer() for _ in range(12)]
    for customer in customers:
        await customer.says("Помогите с кредитом")
    tickets = [await anna.ticket_of(customer.chat_id) for customer in customers]
    for ticket in tickets:
        first, second = await asyncio.gather(
            anna.api.post(f"/api/v1/tickets/{ticket['id']}/take"),
            boris.api.post(f"/api/v1/tickets/{ticket['id']}/take"),
        )
        codes = sorted([first.status_code, second.status_code])
        assert codes == [200, 409], (first.text, second.text)
        winner = (first if first.status_code == 200 else second).json()["assignee"]
        shown = (await anna.api.get(f"/api/v1/tickets/{ticket['id']}")).json()  # the admin sees all
        assert shown["assignee"] == winner
    # Both instances answered takes: the writer itself, the other by forwarding to it.
    assert grpc_calls(stack, "message_saver", "TakeTicket") > 0
    assert grpc_calls(stack, "message_saver-2", "TakeTicket") > 0
    for customer in customers:
        await customer.close()
    await anna.close()
    await boris.close()
    await boris_account.close()


def writer_instance(stack: ProcessStack) -> str | None:
    """The instance holding the writer lease (its holder name starts with T1_INSTANCE_NAME), if any."""
    redis = Redis.from_url(stack.engine_env["T1_REDIS_URL"])
    try:
        raw = redis.get(f"t1:message_saver-writer:{stack.database}")
    finally:
        redis.close()
    return None if raw is None else str(json.loads(raw)["name"]).split(":", 1)[0]


async def test_a_killed_writer_is_replaced_and_no_message_is_lost_or_duplicated(stack: ProcessStack) -> None:
    """Last in this module: it leaves one message_saver."""
    wait_until(lambda: writer_instance(stack) is not None, 30, "a message_saver to hold the writer lease")
    writer = writer_instance(stack)
    assert writer is not None
    survivor = "message_saver-2" if writer == "message_saver" else "message_saver"
    customers = [stack.customer() for _ in range(6)]
    said: list[tuple[int, int]] = []  # (chat, Telegram message id)

    async def talk(rounds: range) -> None:
        for number in rounds:
            for customer in customers:
                said.append(
                    (customer.chat_id, await customer.says(f"Сообщение {number} от {customer.chat_id}"))
                )

    await talk(range(3))
    process = stack.processes[writer].popen
    assert process is not None
    os.killpg(process.pid, signal.SIGKILL)
    killed_at = time.monotonic()
    await talk(range(3, 8))
    wait_until(lambda: writer_instance(stack) == survivor, 30, f"{survivor} to take the writer lease over")
    took_over_s = time.monotonic() - killed_at

    mongo: MongoClient[dict[str, Any]] = MongoClient(stack.engine_env["T1_MONGO_URL"])
    database = mongo[stack.database]
    chats = {customer.chat_id for customer in customers}

    def stored() -> list[tuple[int, int]]:
        """(chat, Telegram message id) of every stored customer message of these chats."""
        chat_of = {
            str(doc["_id"]): int(doc["chat_id"])
            for doc in database["tickets"].find({}, {"chat_id": 1})
            if doc.get("chat_id") in chats
        }
        return [
            (chat_of[str(doc["ticket_id"])], int(doc["telegram_message_id"]))
            for doc in database["messages"].find({}, {"ticket_id": 1, "telegram_message_id": 1})
            if str(doc.get("ticket_id")) in chat_of and doc.get("telegram_message_id")
        ]

    wait_until(lambda: set(said) <= set(stored()), 90, "every customer message stored")
    # A sentinel on every chat (one chat, one partition, in order): once each is stored, a redelivered copy
    # of anything before it would have been stored too.
    for customer in customers:
        said.append((customer.chat_id, await customer.says("Сторожевое сообщение")))
    wait_until(lambda: set(said) <= set(stored()), 60, "the sentinels stored")
    keys = stored()
    assert len(keys) == len(set(keys)), "a customer message was stored twice"
    assert sorted(keys) == sorted(said)
    admin = await stack.operator()
    ticket = await admin.ticket_of(customers[0].chat_id)
    assert (await admin.take(ticket["id"]))["assignee"] == admin.id  # the new writer answers
    mongo.close()
    await admin.close()
    for customer in customers:
        await customer.close()
    print(f"writer lease taken over {took_over_s:.1f} s after the SIGKILL")
