"""A customer's tickets from the read model (customer_chat_id), and a ticket's timeline (ListTicketEvents)
as message_saver records it, on the real engines."""

from __future__ import annotations

from typing import TypeAlias

import grpc
import pytest

from services.message_saver.app import App
from services.message_saver.views import LAYOUT
from t1.tickets.v1 import ticket_pb2 as pb
from t1.tickets.v1 import ticket_service_pb2 as api
from t1.tickets.v1 import ticket_service_pb2_grpc as api_grpc
from tests.message_saver.conftest import Harness, customer_message
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

Stub: TypeAlias = "api_grpc.TicketServiceAsyncStub"


async def opened(harness: Harness, chat_id: int, telegram_id: int) -> str:
    """The customer writes; the id of the new ticket the message opened."""
    known = {event.ticket.id for event in harness.notifications("ticket.created")}
    await harness.send(customer_message(chat_id, telegram_id, f"Вопрос {telegram_id}?"))

    def new_ticket() -> str | None:
        for event in harness.notifications("ticket.created"):
            if event.ticket.customer.chat_id == chat_id and event.ticket.id not in known:
                return event.ticket.id
        return None

    await eventually(lambda: new_ticket() is not None, what="ticket opened")
    ticket_id = new_ticket()
    assert ticket_id is not None
    return ticket_id


async def customer_tickets(
    stub: Stub, chat_id: int, status: pb.TicketStatus = pb.TICKET_STATUS_UNSPECIFIED
) -> list[str]:
    ids: list[str] = []
    token = ""
    while True:
        page = await stub.ListTickets(
            api.ListTicketsRequest(customer_chat_id=chat_id, status=status, page_token=token, page_size=2)
        )
        ids += [ticket.id for ticket in page.tickets]
        token = page.next_page_token
        if not token:
            return ids


async def test_a_customers_tickets_newest_first_and_rebuilt_for_views_of_an_older_layout(
    harness: Harness,
) -> None:
    app = await harness.start_app()
    stub = harness.stub(app)
    chat, other = 7_100_001, 7_100_002
    first = await opened(harness, chat, 1)
    await stub.CloseTicket(api.CloseTicketRequest(ticket_id=first, operator_id="анна"))
    second = await opened(harness, chat, 2)
    await stub.CloseTicket(api.CloseTicketRequest(ticket_id=second, operator_id="анна"))
    elsewhere = await opened(harness, other, 1)
    third = await opened(harness, chat, 3)

    assert await customer_tickets(stub, chat) == [third, second, first]
    assert await customer_tickets(stub, chat, pb.TICKET_STATUS_CLOSED) == [second, first]
    assert await customer_tickets(stub, other) == [elsewhere]
    assert await customer_tickets(stub, 7_100_003) == []

    # An install whose views were built before the per-customer view: no k:<chat> sets, the old flag.
    await app.stop()
    redis = app.views_redis
    assert redis is not None
    prefix = harness.settings.views_key_prefix
    restarted = await harness.start_app()
    assert restarted.views_redis is not None
    customer_keys = [key async for key in restarted.views_redis.scan_iter(match=prefix + "v:k:*")]
    assert len(customer_keys) == 2
    await restarted.views_redis.delete(*customer_keys, f"{prefix}built:{LAYOUT}")
    await restarted.views_redis.set(f"{prefix}built", "4")
    await restarted.stop()

    stub = harness.stub(await harness.start_app())
    assert await customer_tickets(stub, chat) == [third, second, first]


def summary(events: list[pb.TicketEvent]) -> list[tuple[str, str, str, int]]:
    return [
        (
            pb.TicketEventKind.Name(event.kind).removeprefix("TICKET_EVENT_KIND_").lower(),
            event.actor_operator_id,
            event.target_operator_id,
            event.count,
        )
        for event in events
    ]


async def timeline(stub: Stub, ticket_id: str) -> list[pb.TicketEvent]:
    return list((await stub.ListTicketEvents(api.ListTicketEventsRequest(ticket_id=ticket_id))).events)


async def test_the_timeline_records_who_did_what_once_and_survives_a_restart(
    harness: Harness, app: App, stub: Stub
) -> None:
    ticket_id = await opened(harness, 7_200_001, 1)
    await stub.TakeTicket(api.TakeTicketRequest(ticket_id=ticket_id, operator_id="анна"))
    await stub.TakeTicket(api.TakeTicketRequest(ticket_id=ticket_id, operator_id="анна"))  # held already
    await stub.AssignTicket(
        api.AssignTicketRequest(ticket_id=ticket_id, operator_id="борис", assigned_by="админ")
    )
    for client_id in ("r1", "r1", "r2"):  # the first reply retried with its client id: one reply
        await stub.AddOperatorMessage(
            api.AddOperatorMessageRequest(
                ticket_id=ticket_id, operator_id="борис", text="Смотрим", client_message_id=client_id
            )
        )
    await stub.AddNote(api.AddNoteRequest(ticket_id=ticket_id, operator_id="борис", text="Заметка"))
    await stub.CloseTicket(api.CloseTicketRequest(ticket_id=ticket_id, operator_id="борис"))
    await stub.CloseTicket(api.CloseTicketRequest(ticket_id=ticket_id, operator_id="борис"))  # closed already

    events = await timeline(stub, ticket_id)
    assert summary(events) == [
        ("opened", "", "", 1),
        ("taken", "анна", "", 1),
        ("assigned", "админ", "борис", 1),
        ("replied", "борис", "", 2),
        ("closed", "борис", "", 1),
    ]
    times = [event.at.ToMilliseconds() for event in events]
    assert times == sorted(times)
    reply = events[3]
    assert reply.at.ToMilliseconds() < reply.last_at.ToMilliseconds() <= events[4].at.ToMilliseconds()

    await app.stop()
    stub = harness.stub(await harness.start_app())
    assert summary(await timeline(stub, ticket_id)) == summary(events)


async def test_a_ticket_stored_before_the_timeline_gets_what_its_fields_tell(
    harness: Harness, app: App, stub: Stub
) -> None:
    ticket_id = await opened(harness, 7_300_001, 1)
    await stub.TakeTicket(api.TakeTicketRequest(ticket_id=ticket_id, operator_id="анна"))
    await stub.CloseTicket(api.CloseTicketRequest(ticket_id=ticket_id, operator_id="анна"))
    await app.stop()
    await harness.db["tickets"].update_one({"_id": ticket_id}, {"$unset": {"events": ""}})

    stub = harness.stub(await harness.start_app())
    events = await timeline(stub, ticket_id)
    assert summary(events) == [("opened", "", "", 1), ("closed", "анна", "", 1)]
    [doc] = await harness.tickets(_id=ticket_id)
    assert events[0].at.ToMilliseconds() == int(doc["created_at"].timestamp() * 1000)

    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await timeline(stub, "no-such-ticket")
    assert raised.value.code() == grpc.StatusCode.NOT_FOUND
