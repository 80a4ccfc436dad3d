"""TicketService over real gRPC, FerretDB and Kafka."""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import TYPE_CHECKING, Any

import grpc
import pytest
from grpc_health.v1 import health_pb2, health_pb2_grpc

from services.message_saver.app import App
from services.message_saver.servicer import SERVICE_NAME
from t1.summarizer.v1 import events_pb2 as summarizer
from t1.tickets.v1 import ticket_pb2 as pb
from t1.tickets.v1 import ticket_service_pb2 as api
from t1.tickets.v1 import ticket_service_pb2_grpc as api_grpc
from t1lib.events import new_event
from t1lib.grpc.client import open_channel
from tests.message_saver.conftest import Harness, customer, customer_message
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

if TYPE_CHECKING:
    Stub = api_grpc.TicketServiceAsyncStub


async def open_tickets(harness: Harness, chats: dict[int, str]) -> dict[int, str]:
    """One ticket per chat (chat id -> first message text); returns chat id -> ticket id."""
    for chat_id, text in chats.items():
        await harness.send(customer_message(chat_id, 1, text))

    async def all_stored() -> bool:
        return len(await harness.tickets()) == len(chats)

    await eventually(all_stored, what=f"{len(chats)} tickets")
    return {ticket["chat_id"]: ticket["_id"] for ticket in await harness.tickets()}


async def rpc_error(call: Any) -> grpc.aio.AioRpcError:
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await call
    return raised.value


async def test_health_reports_the_ticket_service(harness: Harness, app: App) -> None:
    channel = open_channel(f"127.0.0.1:{app.port}", app.settings.service_token)
    try:
        health: Any = health_pb2_grpc.HealthStub(channel)  # the stubs package types no methods
        response = await health.Check(health_pb2.HealthCheckRequest(service=SERVICE_NAME))
        assert response.status == health_pb2.HealthCheckResponse.SERVING
    finally:
        await channel.close()


async def test_concurrent_takes_have_exactly_one_winner(harness: Harness, app: App, stub: Stub) -> None:
    tickets = await open_tickets(harness, {600 + index: f"Вопрос номер {index}" for index in range(5)})
    for ticket_id in tickets.values():
        results = await asyncio.gather(
            stub.TakeTicket(api.TakeTicketRequest(ticket_id=ticket_id, operator_id="оператор-анна")),
            stub.TakeTicket(api.TakeTicketRequest(ticket_id=ticket_id, operator_id="оператор-борис")),
            return_exceptions=True,
        )
        won = [result for result in results if isinstance(result, api.TakeTicketResponse)]
        lost = [result for result in results if isinstance(result, grpc.aio.AioRpcError)]
        assert (len(won), len(lost)) == (1, 1), results
        assert lost[0].code() == grpc.StatusCode.FAILED_PRECONDITION
        winner = won[0].ticket.assignee_id
        assert won[0].ticket.status == pb.TICKET_STATUS_ASSIGNED
        assert winner in (lost[0].details() or "")
        again = await stub.TakeTicket(api.TakeTicketRequest(ticket_id=ticket_id, operator_id=winner))
        assert again.ticket.assignee_id == winner  # taking what you hold is fine

    # One change per ticket; the repeated take announces it again under the same event id.
    await eventually(lambda: len(harness.notifications("ticket.updated")) == 10, what="ticket.updated")
    await asyncio.sleep(0.5)
    updates = harness.notifications("ticket.updated")
    assert len(updates) == 10
    assert len({update.event_id for update in updates}) == 5

    some_ticket = next(iter(tickets.values()))
    await stub.CloseTicket(api.CloseTicketRequest(ticket_id=some_ticket, operator_id="оператор-анна"))
    error = await rpc_error(
        stub.TakeTicket(api.TakeTicketRequest(ticket_id=some_ticket, operator_id="оператор-анна"))
    )
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    error = await rpc_error(
        stub.TakeTicket(api.TakeTicketRequest(ticket_id="нет-такого", operator_id="оператор"))
    )
    assert error.code() == grpc.StatusCode.NOT_FOUND
    error = await rpc_error(stub.TakeTicket(api.TakeTicketRequest(ticket_id=some_ticket)))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_assign_moves_any_open_ticket(harness: Harness, app: App, stub: Stub) -> None:
    tickets = await open_tickets(harness, {610: "Помогите с переводом"})
    ticket_id = tickets[610]
    await stub.TakeTicket(api.TakeTicketRequest(ticket_id=ticket_id, operator_id="оператор-анна"))
    assigned = await stub.AssignTicket(
        api.AssignTicketRequest(ticket_id=ticket_id, operator_id="оператор-борис", assigned_by="админ")
    )
    assert assigned.ticket.assignee_id == "оператор-борис"
    assert assigned.ticket.status == pb.TICKET_STATUS_ASSIGNED
    same = await stub.AssignTicket(api.AssignTicketRequest(ticket_id=ticket_id, operator_id="оператор-борис"))
    assert same.ticket.updated_at == assigned.ticket.updated_at
    await stub.CloseTicket(api.CloseTicketRequest(ticket_id=ticket_id, operator_id="оператор-борис"))
    error = await rpc_error(
        stub.AssignTicket(api.AssignTicketRequest(ticket_id=ticket_id, operator_id="оператор-анна"))
    )
    assert error.code() == grpc.StatusCode.FAILED_PRECONDITION
    error = await rpc_error(stub.GetTicket(api.GetTicketRequest(ticket_id="нет-такого")))
    assert error.code() == grpc.StatusCode.NOT_FOUND


async def test_list_tickets_filters_and_pages_without_gaps(harness: Harness, app: App, stub: Stub) -> None:
    chats = {620 + index: f"Обращение {index}: проблема с картой" for index in range(12)}
    chats[640] = "Не приходит СМС-код [срочно]"
    tickets = await open_tickets(harness, chats)
    await stub.TakeTicket(api.TakeTicketRequest(ticket_id=tickets[620], operator_id="оператор-анна"))
    await stub.TakeTicket(api.TakeTicketRequest(ticket_id=tickets[621], operator_id="оператор-анна"))
    await stub.TakeTicket(api.TakeTicketRequest(ticket_id=tickets[622], operator_id="оператор-борис"))
    await stub.CloseTicket(api.CloseTicketRequest(ticket_id=tickets[623], operator_id="оператор-борис"))
    await stub.UpdateTicket(
        api.UpdateTicketRequest(ticket_id=tickets[624], category="Карты", update_paths=["category"])
    )
    await harness.send(
        new_event(summarizer.ChatTitleGenerated, ticket_id=tickets[625], title="Блокировка КАРТЫ за границей")
    )
    await eventually(lambda: len(harness.notifications("ticket.updated")) == 6, what="all changes")

    pages: list[list[pb.Ticket]] = []
    token = ""
    while True:
        page = await stub.ListTickets(api.ListTicketsRequest(page_size=5, page_token=token))
        pages.append(list(page.tickets))
        token = page.next_page_token
        if not token:
            break
    listed = [ticket for page in pages for ticket in page]
    assert [len(page) for page in pages] == [5, 5, 3]
    assert len({ticket.id for ticket in listed}) == len(listed) == 13
    stored = sorted(
        await harness.tickets(), key=lambda doc: (doc["last_message_at"], doc["_id"]), reverse=True
    )
    assert [ticket.id for ticket in listed] == [doc["_id"] for doc in stored]

    async def ids(**fields: Any) -> set[str]:
        response = await stub.ListTickets(api.ListTicketsRequest(**fields))
        return {ticket.id for ticket in response.tickets}

    assert await ids(status=pb.TICKET_STATUS_ASSIGNED) == {tickets[620], tickets[621], tickets[622]}
    assert await ids(status=pb.TICKET_STATUS_CLOSED) == {tickets[623]}
    assert len(await ids(status=pb.TICKET_STATUS_OPEN)) == 9
    assert await ids(assignee_id="оператор-анна") == {tickets[620], tickets[621]}
    assert await ids(assignee_id="оператор-анна", status=pb.TICKET_STATUS_OPEN) == set()
    assert await ids(category="Карты") == {tickets[624]}
    assert await ids(query="блокировка карты") == {tickets[625]}  # title, case-insensitive
    assert await ids(query="смс-код [СРОЧНО]") == {tickets[640]}  # preview; regex characters are literal
    assert await ids(query="клиент_631") == {tickets[631]}  # username
    assert len(await ids(query="иван")) == 13  # first name
    assert await ids(query="обращение 1", status=pb.TICKET_STATUS_ASSIGNED) == {tickets[621]}
    assert await ids(query=".*") == set()
    # What an operator may see: the queue plus the tickets assigned to them (closed ones too).
    boris_view = await ids(visible_to_operator_id="оператор-борис")
    assert boris_view == (await ids(status=pb.TICKET_STATUS_OPEN)) | {tickets[622]}  # 623 was never his
    assert await ids(visible_to_operator_id="оператор-борис", status=pb.TICKET_STATUS_ASSIGNED) == {
        tickets[622]
    }

    filtered: list[str] = []
    token = ""
    while True:
        page = await stub.ListTickets(
            api.ListTicketsRequest(status=pb.TICKET_STATUS_OPEN, page_size=4, page_token=token)
        )
        filtered += [ticket.id for ticket in page.tickets]
        token = page.next_page_token
        if not token:
            break
    assert len(filtered) == len(set(filtered)) == 9

    error = await rpc_error(stub.ListTickets(api.ListTicketsRequest(page_token="мусор")))
    assert error.code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_list_messages_pages_oldest_first_and_hides_notes(
    harness: Harness, app: App, stub: Stub
) -> None:
    texts = [f"Сообщение клиента {index}" for index in range(1, 8)]
    for index, text in enumerate(texts, start=1):
        await harness.send(customer_message(650, index, text))
    await eventually(lambda: len(harness.notifications("message.created")) == 7, what="seven messages")
    [ticket] = await harness.tickets()
    await stub.AddNote(
        api.AddNoteRequest(ticket_id=ticket["_id"], operator_id="оператор-анна", text="Клиент VIP")
    )
    for text in ("Ответ оператора 1", "Ответ оператора 2"):
        await stub.AddOperatorMessage(
            api.AddOperatorMessageRequest(ticket_id=ticket["_id"], operator_id="оператор-анна", text=text)
        )

    async def read_all(include_internal: bool, newest_first: bool = False) -> tuple[list[str], list[int]]:
        pages: list[list[str]] = []
        token = ""
        while True:
            page = await stub.ListMessages(
                api.ListMessagesRequest(
                    ticket_id=ticket["_id"],
                    page_size=3,
                    page_token=token,
                    include_internal=include_internal,
                    newest_first=newest_first,
                )
            )
            pages.append([message.text for message in page.messages])
            token = page.next_page_token
            if not token:
                ordered = pages[::-1] if newest_first else pages
                return [text for texts in ordered for text in texts], [len(texts) for texts in pages]

    visible, sizes = await read_all(False)
    assert visible == [*texts, "Ответ оператора 1", "Ответ оператора 2"]
    assert sizes == [3, 3, 3]
    everything, _sizes = await read_all(True)
    assert everything == [*texts, "Клиент VIP", "Ответ оператора 1", "Ответ оператора 2"]
    backwards, sizes = await read_all(True, newest_first=True)
    assert backwards == everything
    assert sizes == [3, 3, 3, 1]
    latest = await stub.ListMessages(
        api.ListMessagesRequest(ticket_id=ticket["_id"], page_size=2, newest_first=True)
    )
    assert [message.text for message in latest.messages] == ["Ответ оператора 1", "Ответ оператора 2"]
    # The ticket's own index serves these pages: no scan of the messages collection. Its first messages
    # are in the ticket document, the later ones are entries of their own.
    [stored] = await harness.tickets()
    entries = [doc async for doc in harness.db["ticket_entries"].find({})]
    later = [entry["message_id"] for entry in entries if entry["_id"].startswith(f"{ticket['_id']}:")]
    assert len(stored["message_ids"]) + len(later) == 10
    assert len(set(stored["message_ids"]) | set(later)) == 10

    error = await rpc_error(stub.ListMessages(api.ListMessagesRequest(ticket_id="нет-такого")))
    assert error.code() == grpc.StatusCode.NOT_FOUND


async def test_operator_message_is_idempotent_on_client_message_id(
    harness: Harness, app: App, stub: Stub
) -> None:
    tickets = await open_tickets(harness, {660: "Где мой перевод?"})
    ticket_id = tickets[660]
    request = api.AddOperatorMessageRequest(
        ticket_id=ticket_id,
        operator_id="оператор-анна",
        text="Перевод уже в пути",
        client_message_id="клиент-42",
    )
    first, second = await asyncio.gather(stub.AddOperatorMessage(request), stub.AddOperatorMessage(request))
    third = await stub.AddOperatorMessage(request)
    assert first.message.id == second.message.id == third.message.id
    assert first.message == third.message
    assert first.message.direction == pb.MESSAGE_DIRECTION_OPERATOR
    assert first.message.operator_id == "оператор-анна"
    assert not first.message.internal
    assert len(await harness.messages(direction="operator")) == 1

    await eventually(
        lambda: len(harness.notifications("message.created")) == 4, what="republished notifications"
    )
    operator_events = [
        n for n in harness.notifications("message.created") if n.message.id == first.message.id
    ]
    assert len({event.event_id for event in operator_events}) == 1
    ticket = (await stub.GetTicket(api.GetTicketRequest(ticket_id=ticket_id))).ticket
    assert ticket.last_message_preview == "Перевод уже в пути"

    document = pb.Attachment(
        kind=pb.ATTACHMENT_KIND_DOCUMENT, file_name="выписка.pdf", s3_key="op/выписка.pdf"
    )
    other = await stub.AddOperatorMessage(
        api.AddOperatorMessageRequest(
            ticket_id=ticket_id,
            operator_id="оператор-анна",
            attachments=[document],
            client_message_id="клиент-43",
        )
    )
    assert other.message.id != first.message.id
    assert other.message.attachments[0].file_name == "выписка.pdf"
    ticket = (await stub.GetTicket(api.GetTicketRequest(ticket_id=ticket_id))).ticket
    assert ticket.last_message_preview == "[документ]"

    empty = api.AddOperatorMessageRequest(ticket_id=ticket_id, operator_id="оператор-анна", text="  ")
    assert (await rpc_error(stub.AddOperatorMessage(empty))).code() == grpc.StatusCode.INVALID_ARGUMENT
    missing = api.AddOperatorMessageRequest(
        ticket_id="нет-такого", operator_id="оператор-анна", text="Привет"
    )
    assert (await rpc_error(stub.AddOperatorMessage(missing))).code() == grpc.StatusCode.NOT_FOUND

    await stub.CloseTicket(api.CloseTicketRequest(ticket_id=ticket_id, operator_id="оператор-анна"))
    late = api.AddOperatorMessageRequest(ticket_id=ticket_id, operator_id="оператор-анна", text="Ещё вопрос?")
    assert (await rpc_error(stub.AddOperatorMessage(late))).code() == grpc.StatusCode.FAILED_PRECONDITION
    replay = await stub.AddOperatorMessage(request)  # a retry of a stored reply still answers
    assert replay.message.id == first.message.id


async def test_notes_are_internal_and_do_not_touch_the_preview(
    harness: Harness, app: App, stub: Stub
) -> None:
    tickets = await open_tickets(harness, {670: "Списали деньги дважды"})
    ticket_id = tickets[670]
    note = await stub.AddNote(
        api.AddNoteRequest(ticket_id=ticket_id, operator_id="оператор-анна", text="Проверить в процессинге")
    )
    assert note.message.internal
    assert note.message.direction == pb.MESSAGE_DIRECTION_SYSTEM
    assert note.message.operator_id == "оператор-анна"
    await eventually(lambda: any(n.message.internal for n in harness.notifications("message.created")))
    ticket = (await stub.GetTicket(api.GetTicketRequest(ticket_id=ticket_id))).ticket
    assert ticket.last_message_preview == "Списали деньги дважды"
    empty = api.AddNoteRequest(ticket_id=ticket_id, operator_id="оператор-анна", text="")
    assert (await rpc_error(stub.AddNote(empty))).code() == grpc.StatusCode.INVALID_ARGUMENT


async def test_update_ticket_changes_only_the_named_fields(harness: Harness, app: App, stub: Stub) -> None:
    tickets = await open_tickets(harness, {680: "Хочу сменить тариф"})
    ticket_id = tickets[680]
    updated = await stub.UpdateTicket(
        api.UpdateTicketRequest(
            ticket_id=ticket_id,
            tags=["тариф", " vip ", "тариф"],
            priority=pb.TICKET_PRIORITY_HIGH,
            category="Тарифы",
            subcategory="Смена тарифа",
            update_paths=["tags", "priority"],
        )
    )
    assert list(updated.ticket.tags) == ["тариф", "vip"]
    assert updated.ticket.priority == pb.TICKET_PRIORITY_HIGH
    assert updated.ticket.category == ""
    updated = await stub.UpdateTicket(
        api.UpdateTicketRequest(
            ticket_id=ticket_id,
            category="Тарифы",
            subcategory="Смена тарифа",
            update_paths=["category", "subcategory"],
        )
    )
    assert (updated.ticket.category, updated.ticket.subcategory) == ("Тарифы", "Смена тарифа")
    assert list(updated.ticket.tags) == ["тариф", "vip"]
    await eventually(lambda: len(harness.notifications("ticket.updated")) == 2)
    assert harness.notifications("ticket.updated")[-1].ticket.subcategory == "Смена тарифа"

    bad = api.UpdateTicketRequest(ticket_id=ticket_id, update_paths=["title"])
    assert (await rpc_error(stub.UpdateTicket(bad))).code() == grpc.StatusCode.INVALID_ARGUMENT
    bad = api.UpdateTicketRequest(ticket_id=ticket_id, priority=42, update_paths=["priority"])  # type: ignore[arg-type]
    assert (await rpc_error(stub.UpdateTicket(bad))).code() == grpc.StatusCode.INVALID_ARGUMENT
    missing = api.UpdateTicketRequest(ticket_id="нет-такого", tags=["x"], update_paths=["tags"])
    assert (await rpc_error(stub.UpdateTicket(missing))).code() == grpc.StatusCode.NOT_FOUND


async def test_customer_details_follow_the_latest_message(harness: Harness, app: App, stub: Stub) -> None:
    await harness.send(customer_message(690, 1, "Привет"))
    renamed = customer(690, first_name="Иван", last_name="Сидоров")
    await harness.send(customer_message(690, 2, "Сменил фамилию", who=renamed))
    await eventually(lambda: len(harness.notifications("message.created")) == 2)
    [ticket] = await harness.tickets()
    response = await stub.GetTicket(api.GetTicketRequest(ticket_id=ticket["_id"]))
    assert response.ticket.customer.last_name == "Сидоров"
    assert isinstance(ticket["last_message_at"], datetime)


async def test_concurrent_changes_of_one_ticket_are_all_kept(harness: Harness, app: App, stub: Stub) -> None:
    """FerretDB v1 loses one of two concurrent updates of a document; message_saver must not."""
    tickets = await open_tickets(harness, {695: "Не работает приложение"})
    ticket_id = tickets[695]
    await asyncio.gather(
        stub.TakeTicket(api.TakeTicketRequest(ticket_id=ticket_id, operator_id="оператор-анна")),
        stub.UpdateTicket(
            api.UpdateTicketRequest(ticket_id=ticket_id, tags=["приложение"], update_paths=["tags"])
        ),
        stub.UpdateTicket(
            api.UpdateTicketRequest(
                ticket_id=ticket_id, priority=pb.TICKET_PRIORITY_URGENT, update_paths=["priority"]
            )
        ),
        stub.UpdateTicket(
            api.UpdateTicketRequest(ticket_id=ticket_id, category="Приложение", update_paths=["category"])
        ),
        stub.AddOperatorMessage(
            api.AddOperatorMessageRequest(
                ticket_id=ticket_id, operator_id="оператор-анна", text="Уже смотрим"
            )
        ),
    )
    ticket = (await stub.GetTicket(api.GetTicketRequest(ticket_id=ticket_id))).ticket
    assert ticket.status == pb.TICKET_STATUS_ASSIGNED
    assert ticket.assignee_id == "оператор-анна"
    assert list(ticket.tags) == ["приложение"]
    assert ticket.priority == pb.TICKET_PRIORITY_URGENT
    assert ticket.category == "Приложение"
    assert ticket.last_message_preview == "Уже смотрим"
    await eventually(lambda: len(harness.notifications("ticket.updated")) == 4, what="four ticket.updated")
    assert len({event.event_id for event in harness.notifications("ticket.updated")}) == 4


async def test_many_concurrent_takers_one_winner(harness: Harness, app: App, stub: Stub) -> None:
    tickets = await open_tickets(harness, {696: "Срочно нужна помощь"})
    operators = [f"оператор-{index}" for index in range(8)]
    results = await asyncio.gather(
        *[stub.TakeTicket(api.TakeTicketRequest(ticket_id=tickets[696], operator_id=op)) for op in operators],
        return_exceptions=True,
    )
    won = [result for result in results if isinstance(result, api.TakeTicketResponse)]
    lost = [result for result in results if isinstance(result, grpc.aio.AioRpcError)]
    assert (len(won), len(lost)) == (1, 7), results
    assert {error.code() for error in lost} == {grpc.StatusCode.FAILED_PRECONDITION}
    [stored] = await harness.tickets()
    assert stored["assignee_id"] == won[0].ticket.assignee_id
