"""The ticket lists' read model in Redis equals the store: after any mix of changes, after a crash between
a store write and its view update, and when Redis lost the views."""

from __future__ import annotations

import random
from typing import Any, TypeAlias

import pytest

from services.message_saver import domain
from services.message_saver.app import App
from t1.tickets.v1 import ticket_pb2 as pb
from t1.tickets.v1 import ticket_service_pb2 as api
from t1.tickets.v1 import ticket_service_pb2_grpc as api_grpc
from tests.message_saver.conftest import Harness, customer_message
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

Stub: TypeAlias = "api_grpc.TicketServiceAsyncStub"
OPERATORS = ("оператор-анна", "оператор-борис")
CATEGORIES = ("Карты и платежи", "Кредиты")  # a space in a view key, as real categories have
STATUSES = {
    "open": pb.TICKET_STATUS_OPEN,
    "assigned": pb.TICKET_STATUS_ASSIGNED,
    "closed": pb.TICKET_STATUS_CLOSED,
}


async def open_many(harness: Harness, first_chat: int, count: int) -> list[str]:
    await harness.send(
        *(
            customer_message(chat, 1, f"Вопрос клиента {chat}")
            for chat in range(first_chat, first_chat + count)
        )
    )
    await eventually(lambda: len(harness.notifications("ticket.created")) >= count, what="tickets opened")
    return [str(ticket["_id"]) for ticket in await harness.tickets()]


async def mix_changes(stub: Stub, ticket_ids: list[str], seed: int) -> None:
    rng = random.Random(seed)
    for ticket_id in ticket_ids:
        roll = rng.random()
        if roll < 0.6:
            operator = rng.choice(OPERATORS)
            await stub.TakeTicket(api.TakeTicketRequest(ticket_id=ticket_id, operator_id=operator))
            if roll < 0.25:
                await stub.CloseTicket(api.CloseTicketRequest(ticket_id=ticket_id, operator_id=operator))
            elif roll < 0.4:
                await stub.AddOperatorMessage(
                    api.AddOperatorMessageRequest(ticket_id=ticket_id, operator_id=operator, text="Смотрим")
                )
        if rng.random() < 0.5:
            await stub.UpdateTicket(
                api.UpdateTicketRequest(
                    ticket_id=ticket_id, category=rng.choice(CATEGORIES), update_paths=["category"]
                )
            )


def expected(
    docs: list[dict[str, Any]],
    status: str,
    assignee: str,
    category: str,
    visible_to: str,
    order: int = api.TICKET_ORDER_UNSPECIFIED,
) -> list[str]:
    kept = [
        doc
        for doc in docs
        if (not status or doc["status"] == status)
        and (not assignee or doc.get("assignee_id") == assignee)
        and (not category or doc.get("category") == category)
        and domain.visible_to(doc["status"], str(doc.get("assignee_id") or ""), visible_to)
    ]
    kept.sort(key=lambda doc: (domain.to_millis(doc["last_message_at"]), doc["_id"]), reverse=True)
    if order == api.TICKET_ORDER_WAITING_LONGEST:
        waiting = [doc for doc in kept if domain.waiting_since(doc) is not None]
        waiting.sort(
            key=lambda doc: (domain.to_millis(domain.waiting_since(doc) or domain.EPOCH), doc["_id"])
        )
        kept = waiting + [doc for doc in kept if domain.waiting_since(doc) is None]
    return [str(doc["_id"]) for doc in kept]


async def listed(
    stub: Stub,
    status: str,
    assignee: str,
    category: str,
    visible_to: str,
    order: int = api.TICKET_ORDER_UNSPECIFIED,
) -> list[str]:
    ids: list[str] = []
    token = ""
    while True:
        page = await stub.ListTickets(
            api.ListTicketsRequest(
                status=STATUSES[status] if status else pb.TICKET_STATUS_UNSPECIFIED,
                assignee_id=assignee,
                category=category,
                visible_to_operator_id=visible_to,
                page_token=token,
                page_size=3,
                order=order,  # type: ignore[arg-type]
            )
        )
        ids += [ticket.id for ticket in page.tickets]
        token = page.next_page_token
        if not token:
            return ids


async def assert_lists_match_the_store(harness: Harness, stub: Stub) -> None:
    docs = await harness.tickets()
    for status in ("", "open", "assigned", "closed"):
        for assignee in ("", *OPERATORS):
            for category in ("", *CATEGORIES):
                for visible_to in ("", OPERATORS[0]):
                    for order in (api.TICKET_ORDER_UNSPECIFIED, api.TICKET_ORDER_WAITING_LONGEST):
                        want = expected(docs, status, assignee, category, visible_to, order)
                        got = await listed(stub, status, assignee, category, visible_to, order)
                        assert got == want, (status, assignee, category, visible_to, order)
    for operator in OPERATORS:
        counted = await stub.CountTickets(api.CountTicketsRequest(operator_id=operator, include_all=True))
        opened = [doc for doc in docs if doc["status"] == "open"]
        mine = [doc for doc in docs if doc["status"] == "assigned" and doc.get("assignee_id") == operator]
        assert (
            counted.queue,
            counted.queue_waiting,
            counted.mine,
            counted.mine_waiting,
            counted.all_active,
        ) == (
            len(opened),
            sum(domain.waiting_since(doc) is not None for doc in opened),
            len(mine),
            sum(domain.waiting_since(doc) is not None for doc in mine),
            len(opened) + sum(doc["status"] == "assigned" for doc in docs),
        ), operator


async def test_lists_equal_the_store_after_a_mix_of_changes(harness: Harness, app: App, stub: Stub) -> None:
    ticket_ids = await open_many(harness, 8100, 24)
    await mix_changes(stub, ticket_ids, seed=1)
    await assert_lists_match_the_store(harness, stub)


async def test_a_crash_between_the_store_write_and_the_view_is_repaired_at_start(harness: Harness) -> None:
    app = await harness.start_app()
    [ticket_id] = await open_many(harness, 8200, 1)
    views = app.repository.views
    assert views is not None
    # What a crash after the store write leaves behind: the id marked pending, the view not updated.
    await views.begin([ticket_id])
    await harness.db["tickets"].update_one(
        {"_id": ticket_id}, {"$set": {"status": "closed", "category": "Карты"}, "$inc": {"version": 1}}
    )
    await app.stop()

    stub = harness.stub(await harness.start_app())
    assert await listed(stub, "closed", "", "Карты", "") == [ticket_id]
    assert await listed(stub, "open", "", "", "") == []
    assert await views.pending() == []


async def test_lost_views_are_rebuilt_from_the_store_at_start(harness: Harness) -> None:
    app = await harness.start_app()
    ticket_ids = await open_many(harness, 8300, 12)
    await mix_changes(harness.stub(app), ticket_ids, seed=2)
    await app.stop()
    redis = app.views_redis
    assert redis is not None
    prefix = harness.settings.views_key_prefix
    fresh = await harness.start_app()
    assert fresh.views_redis is not None
    keys = [key async for key in fresh.views_redis.scan_iter(match=prefix + "*")]
    assert keys
    await fresh.views_redis.delete(*keys)  # Redis lost everything
    await fresh.stop()

    stub = harness.stub(await harness.start_app())
    await assert_lists_match_the_store(harness, stub)


async def test_a_ticket_leaves_the_views_of_a_category_with_spaces(
    harness: Harness, app: App, stub: Stub
) -> None:
    [ticket_id] = await open_many(harness, 8400, 1)
    category = CATEGORIES[0]
    await stub.UpdateTicket(
        api.UpdateTicketRequest(ticket_id=ticket_id, category=category, update_paths=["category"])
    )
    assert await listed(stub, "open", "", category, "") == [ticket_id]

    await stub.TakeTicket(api.TakeTicketRequest(ticket_id=ticket_id, operator_id=OPERATORS[0]))
    await stub.CloseTicket(api.CloseTicketRequest(ticket_id=ticket_id, operator_id=OPERATORS[0]))

    assert await listed(stub, "open", "", category, "") == []
    assert await listed(stub, "closed", "", category, "") == [ticket_id]
    # Gone from the open views' sorted sets themselves, not only filtered out when read.
    views, redis = app.repository.views, app.views_redis
    assert views is not None
    assert redis is not None
    open_ticket = {"status": "open", "category": category}
    open_keys = {key for key in views.view_keys(open_ticket) if ":s:open" in key}
    open_keys |= {
        key for key in views.view_keys({**open_ticket, "waiting_since": domain.utcnow()}) if ":s:open" in key
    }
    # open, open in the category, and each split into waiting and the rest
    assert len(open_keys) == 6
    for key in open_keys:
        assert await redis.zscore(key, ticket_id) is None, key
    await assert_lists_match_the_store(harness, stub)
