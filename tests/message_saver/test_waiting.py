"""How long customers wait, on the real engines: waiting_since through the intake (Kafka), replies, notes and
close; the lists in waiting order (paged across the waiting and the answered part) and the counters, also
after a crash that left ticket documents behind their logs and Redis without the read model."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any, TypeAlias

import grpc
import pytest

from services.message_saver.app import App
from t1.tickets.v1 import ticket_pb2 as pb
from t1.tickets.v1 import ticket_service_pb2 as api
from t1.tickets.v1 import ticket_service_pb2_grpc as api_grpc
from tests.message_saver.conftest import Harness, customer_message
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

Stub: TypeAlias = "api_grpc.TicketServiceAsyncStub"
OLGA = "оператор-ольга"
WAITING = api.TICKET_ORDER_WAITING_LONGEST


async def ticket(stub: Stub, ticket_id: str) -> pb.Ticket:
    return (await stub.GetTicket(api.GetTicketRequest(ticket_id=ticket_id))).ticket


def moment(ticket: pb.Ticket, field: str) -> datetime | None:
    return getattr(ticket, field).ToDatetime(tzinfo=UTC) if ticket.HasField(field) else None


async def customer_writes(
    harness: Harness, stub: Stub, chat_id: int, number: int, ticket_id: str = ""
) -> str:
    """The customer's message `number` stored (waits for it); the ticket id."""
    before = len(harness.notifications("message.created"))
    await harness.send(customer_message(chat_id, number, f"Сообщение {number} из чата {chat_id}"))
    await eventually(lambda: len(harness.notifications("message.created")) > before, what="message stored")
    found = [
        event
        for event in harness.notifications("message.created")
        if event.ticket.customer.chat_id == chat_id
    ]
    return ticket_id or found[-1].ticket.id


async def listed(stub: Stub, order: int, page_size: int = 1, **query: Any) -> list[str]:
    ids: list[str] = []
    token = ""
    while True:
        page = await stub.ListTickets(
            api.ListTicketsRequest(order=order, page_token=token, page_size=page_size, **query)  # type: ignore[arg-type]
        )
        ids += [item.id for item in page.tickets]
        token = page.next_page_token
        if not token:
            return ids


async def counts(stub: Stub, operator_id: str = OLGA, include_all: bool = False) -> tuple[int, ...]:
    found = await stub.CountTickets(api.CountTicketsRequest(operator_id=operator_id, include_all=include_all))
    return found.queue, found.queue_waiting, found.mine, found.mine_waiting, found.all_active


async def test_waiting_since_follows_the_conversation(harness: Harness, app: App, stub: Stub) -> None:
    ticket_id = await customer_writes(harness, stub, 9100, 1)
    first = await ticket(stub, ticket_id)
    since = moment(first, "waiting_since")
    assert since is not None
    assert moment(first, "last_customer_message_at") == since == moment(first, "last_message_at")

    await customer_writes(harness, stub, 9100, 2, ticket_id)  # still waiting since the first message
    second = await ticket(stub, ticket_id)
    assert moment(second, "waiting_since") == since
    last_customer = moment(second, "last_customer_message_at")
    assert last_customer is not None
    assert last_customer > since

    await stub.AddNote(api.AddNoteRequest(ticket_id=ticket_id, operator_id=OLGA, text="Проверить выписку"))
    assert moment(await ticket(stub, ticket_id), "waiting_since") == since  # a note answers nobody

    await stub.AddOperatorMessage(
        api.AddOperatorMessageRequest(
            ticket_id=ticket_id, operator_id=OLGA, text="Проверяем", client_message_id="r1"
        )
    )
    answered = await ticket(stub, ticket_id)
    assert not answered.HasField("waiting_since")
    assert moment(answered, "last_customer_message_at") == last_customer

    await customer_writes(harness, stub, 9100, 3, ticket_id)
    again = await ticket(stub, ticket_id)
    asked_again = moment(again, "waiting_since")
    assert asked_again is not None
    assert asked_again > last_customer
    assert moment(again, "last_customer_message_at") == asked_again

    await stub.CloseTicket(api.CloseTicketRequest(ticket_id=ticket_id, operator_id=OLGA))
    closed = await ticket(stub, ticket_id)
    assert not closed.HasField("waiting_since")
    assert moment(closed, "last_customer_message_at") == asked_again


async def test_the_queue_in_waiting_order_and_its_counters(
    harness: Harness, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = await harness.start_app()
    stub = harness.stub(app)
    # Opened in this order: a, b, c, d.
    a = await customer_writes(harness, stub, 9201, 1)
    b = await customer_writes(harness, stub, 9202, 1)
    c = await customer_writes(harness, stub, 9203, 1)
    d = await customer_writes(harness, stub, 9204, 1)
    # a is answered; c's customer writes again (still waiting since its first message).
    await stub.AddOperatorMessage(api.AddOperatorMessageRequest(ticket_id=a, operator_id=OLGA, text="Ответ"))
    await customer_writes(harness, stub, 9203, 2, c)

    queue: dict[str, Any] = {"status": pb.TICKET_STATUS_OPEN, "visible_to_operator_id": OLGA}
    assert await listed(stub, api.TICKET_ORDER_UNSPECIFIED, **queue) == [c, a, d, b]  # newest activity
    # Waiting longest first, then the answered one; paged one by one across both parts, and at once.
    assert await listed(stub, WAITING, **queue) == [b, c, d, a]
    assert await listed(stub, WAITING, page_size=50, **queue) == [b, c, d, a]
    assert await listed(stub, WAITING, page_size=3) == [b, c, d, a]  # every status (an admin's list)
    assert await counts(stub, include_all=True) == (4, 3, 0, 0, 4)

    # Olga takes b and d: they leave the queue for her own list, still waiting.
    for taken in (b, d):
        await stub.TakeTicket(api.TakeTicketRequest(ticket_id=taken, operator_id=OLGA))
    mine: dict[str, Any] = {"status": pb.TICKET_STATUS_ASSIGNED, "assignee_id": OLGA}
    assert await listed(stub, WAITING, **mine) == [b, d]
    assert await listed(stub, WAITING, **queue) == [c, a]
    assert await counts(stub) == (2, 1, 2, 2, 0)
    assert await counts(stub, "другой-оператор") == (2, 1, 0, 0, 0)

    # She answers b (now after d among her tickets), and closes d.
    await stub.AddOperatorMessage(api.AddOperatorMessageRequest(ticket_id=b, operator_id=OLGA, text="Готово"))
    assert await listed(stub, WAITING, **mine) == [d, b]
    assert await counts(stub) == (2, 1, 2, 1, 0)
    await stub.CloseTicket(api.CloseTicketRequest(ticket_id=d, operator_id=OLGA))
    assert await listed(stub, WAITING, **mine) == [b]
    assert await counts(stub, include_all=True) == (2, 1, 1, 0, 3)
    # Every status: c waits; then by last activity b (answered last), a, d (closed).
    assert await listed(stub, WAITING, page_size=2) == [c, b, a, d]

    # A token of one order is refused by the other.
    page = await stub.ListTickets(api.ListTicketsRequest(order=WAITING, page_size=1, **queue))
    with pytest.raises(grpc.aio.AioRpcError) as refused:
        await stub.ListTickets(api.ListTicketsRequest(page_token=page.next_page_token, page_size=1))
    assert refused.value.code() == grpc.StatusCode.INVALID_ARGUMENT

    # A crash: c's second message is only in its log (its document was not written since), and Redis
    # lost the read model. At start the views are rebuilt from the store, c caught up with its log.
    c_before = await ticket(stub, c)
    [stored] = await harness.tickets(_id=c)
    assert stored["last_customer_message_at"] < moment(c_before, "last_customer_message_at")  # behind its log

    async def no_checkpoints(*_args: object, **_kwargs: object) -> int:
        return 0

    monkeypatch.setattr(app.repository, "write_checkpoints", no_checkpoints)
    await app.stop()
    prefix = harness.settings.views_key_prefix
    fresh = await harness.start_app()
    assert fresh.views_redis is not None
    keys = [key async for key in fresh.views_redis.scan_iter(match=prefix + "*")]
    await fresh.views_redis.delete(*keys)
    await fresh.stop()

    stub = harness.stub(await harness.start_app())
    assert await listed(stub, WAITING, **queue) == [c, a]
    assert await listed(stub, WAITING, **mine) == [b]
    assert await counts(stub, include_all=True) == (2, 1, 1, 0, 3)
    c_after = await ticket(stub, c)
    assert moment(c_after, "waiting_since") == moment(c_before, "waiting_since")
    assert moment(c_after, "last_customer_message_at") == moment(c_before, "last_customer_message_at")
