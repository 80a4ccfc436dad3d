"""Customer messages and titles arriving over Kafka, on the real engines."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.message_saver.app import App
from services.message_saver.convert import Doc
from services.message_saver.repository import Repository
from services.message_saver.search import SearchIndex, rebuild_from_store
from t1.notifications.v1 import events_pb2 as notifications
from t1.summarizer.v1 import events_pb2 as summarizer
from t1.tickets.v1 import events_pb2 as tickets_events
from t1.tickets.v1 import ticket_pb2 as pb
from t1.tickets.v1 import ticket_service_pb2 as api
from t1.tickets.v1 import ticket_service_pb2_grpc as api_grpc
from t1lib.events import new_event, timestamp
from tests.message_saver.conftest import Harness, customer_message
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration


async def opened_ticket(harness: Harness, chat_id: int, text: str) -> Doc:
    """The ticket a chat's first message opens, as stored once it has been announced."""
    await harness.send(customer_message(chat_id, 1, text))
    await eventually(lambda: len(harness.notifications("message.created")) == 1)
    [ticket] = await harness.tickets(chat_id=chat_id)
    return ticket


TEXT = "Здравствуйте! Не могу оплатить покупку картой «Мир», пишет «операция отклонена»."


async def test_first_message_opens_a_ticket_and_asks_for_a_title(
    harness: Harness, app: App, stub: api_grpc.TicketServiceAsyncStub
) -> None:
    event = customer_message(501, 10, TEXT)
    await harness.send(event)
    await eventually(lambda: len(harness.notifications("message.created")) == 1, what="message.created")
    await eventually(lambda: len(harness.title_requests()) == 1, what="chat_title_request")

    [ticket] = await harness.tickets()
    [message] = await harness.messages()
    assert ticket["status"] == "open"
    assert ticket["chat_id"] == 501
    assert ticket["customer"]["first_name"] == "Иван"
    assert ticket["last_message_preview"] == TEXT
    assert message["ticket_id"] == ticket["_id"]
    assert message["text"] == TEXT
    assert message["direction"] == "customer"
    active = await harness.db["active_tickets"].find_one({"_id": "501"})
    assert active is not None
    assert active["ticket_id"] == ticket["_id"]

    [created] = harness.notifications("ticket.created")
    [message_created] = harness.notifications("message.created")
    assert created.ticket_id == ticket["_id"]
    assert created.ticket.status == pb.TICKET_STATUS_OPEN
    assert created.ticket.customer.username == "клиент_501"
    assert message_created.message.text == TEXT
    assert message_created.message.direction == pb.MESSAGE_DIRECTION_CUSTOMER
    assert message_created.message.telegram_message_id == 10
    assert message_created.message.created_at.ToMilliseconds() == event.sent_at.ToMilliseconds()
    [title_request] = harness.title_requests()
    assert title_request.ticket_id == ticket["_id"]
    assert list(title_request.messages) == [TEXT]
    assert title_request.language_code == "ru"

    response = await stub.GetTicket(api.GetTicketRequest(ticket_id=ticket["_id"]))
    assert response.ticket.last_message_preview == TEXT
    assert response.ticket.priority == pb.TICKET_PRIORITY_NORMAL


async def test_next_message_of_the_chat_joins_the_same_ticket(harness: Harness, app: App) -> None:
    await harness.send(customer_message(502, 1, "Добрый день"), customer_message(502, 2, "Карта не работает"))
    await eventually(lambda: len(harness.notifications("message.created")) == 2, what="two messages")
    await eventually(lambda: len(harness.title_requests()) == 1, what="the title request")
    # Another chat's first message, sent after both were handled: its title request is published after
    # any second request for chat 502 would have been.
    await harness.send(customer_message(9502, 1, "Контрольный вопрос"))
    await eventually(lambda: len(harness.title_requests()) == 2, what="the sentinel's title request")

    [ticket] = await harness.tickets(chat_id=502)
    [sentinel] = await harness.tickets(chat_id=9502)
    assert {message["ticket_id"] for message in await harness.messages(chat_id=502)} == {ticket["_id"]}
    # Through the API: on the single writer a follow-up in a later batch is an entry of the ticket's log,
    # in the document only at its next checkpoint (ticket_log.py); GetTicket reads the two together.
    shown = await harness.stub(app).GetTicket(api.GetTicketRequest(ticket_id=ticket["_id"]))
    assert shown.ticket.last_message_preview == "Карта не работает"
    opened = [ticket["_id"], sentinel["_id"]]
    assert [notice.ticket.id for notice in harness.notifications("ticket.created")] == opened
    assert [request.ticket_id for request in harness.title_requests()] == opened
    assert list(harness.title_requests()[0].messages) == ["Добрый день"]
    # Each notification shows how many messages the ticket has (messages written together show the
    # count after all of them); the count only grows.
    counts = [notice.ticket.message_count for notice in harness.notifications("message.created")][:2]
    assert counts == sorted(counts)
    assert counts[-1] == 2


async def test_redelivered_event_is_stored_once_and_republished_with_the_same_ids(
    harness: Harness, app: App
) -> None:
    event = customer_message(503, 1, TEXT)
    resent_by_bot = customer_message(503, 1, TEXT)  # same Telegram message, new event id
    await harness.send(event, event, resent_by_bot)
    await eventually(lambda: len(harness.notifications("message.created")) == 3, what="three publications")
    await eventually(lambda: len(harness.title_requests()) == 3, what="three title requests")

    assert len(await harness.messages()) == 1
    assert len(await harness.tickets()) == 1
    for published in (
        harness.notifications("message.created"),
        harness.notifications("ticket.created"),
        harness.title_requests(),
    ):
        assert len({item.event_id for item in published}) == 1, "a duplicate got a new event id"


async def test_an_opening_message_redelivered_after_its_ticket_closed_opens_nothing(
    harness: Harness, app: App, stub: api_grpc.TicketServiceAsyncStub
) -> None:
    first = await opened_ticket(harness, 521, "Первый вопрос")
    await stub.CloseTicket(api.CloseTicketRequest(ticket_id=first["_id"], operator_id="оператор-1"))

    # The same Telegram message again (a redelivery after the close), then a new one as the sentinel.
    await harness.send(customer_message(521, 1, "Первый вопрос"), customer_message(521, 2, "Новый вопрос"))
    await eventually(lambda: len(harness.notifications("message.created")) == 3, what="the sentinel")

    tickets = {ticket["_id"]: ticket for ticket in await harness.tickets(chat_id=521)}
    assert len(tickets) == 2, "the redelivered opening message opened a ticket of its own"
    [first_message] = await harness.messages(telegram_message_id=1, chat_id=521)
    assert first_message["ticket_id"] == first["_id"]
    [second_message] = await harness.messages(telegram_message_id=2, chat_id=521)
    assert second_message["ticket_id"] != first["_id"]
    assert tickets[second_message["ticket_id"]]["status"] == "open"
    entry = await harness.db["active_tickets"].find_one({"_id": "521"})
    assert entry is not None
    assert entry["ticket_id"] == second_message["ticket_id"]
    republished = [n for n in harness.notifications("message.created") if n.message.telegram_message_id == 1]
    assert {notice.ticket_id for notice in republished} == {first["_id"]}


async def test_edit_replaces_text_and_marks_the_message_edited(
    harness: Harness, app: App, stub: api_grpc.TicketServiceAsyncStub
) -> None:
    await harness.send(customer_message(504, 5, "Номер карты 1234"))
    await eventually(lambda: len(harness.notifications("message.created")) == 1)
    edit = customer_message(504, 5, "Номер карты 5678, извините", edited=True)
    await harness.send(edit, edit)
    await eventually(lambda: len(harness.notifications("message.updated")) == 2, what="message.updated")

    [message] = await harness.messages()
    assert message["text"] == "Номер карты 5678, извините"
    assert message["edited"] is True
    assert message["edited_at"] is not None
    updates = harness.notifications("message.updated")
    assert updates[0].event_id == updates[1].event_id
    assert updates[0].message.edited
    assert updates[0].message.HasField("edited_at")
    assert updates[0].ticket.last_message_preview == "Номер карты 5678, извините"
    listed = await stub.ListMessages(api.ListMessagesRequest(ticket_id=message["ticket_id"]))
    assert [(item.text, item.edited) for item in listed.messages] == [("Номер карты 5678, извините", True)]


async def test_edit_of_a_message_never_seen_is_stored_as_edited(harness: Harness, app: App) -> None:
    await harness.send(customer_message(505, 9, "Исправленный текст", edited=True))
    await eventually(lambda: len(harness.notifications("message.created")) == 1)
    [message] = await harness.messages()
    assert message["edited"] is True
    assert message["text"] == "Исправленный текст"
    assert harness.notifications("message.created")[0].message.edited


async def test_attachments_only_message(harness: Harness, app: App) -> None:
    photo = pb.Attachment(
        kind=pb.ATTACHMENT_KIND_PHOTO,
        mime_type="image/jpeg",
        file_name="photo.jpg",
        size=2048,
        s3_key="a/b.jpg",
    )
    await harness.send(customer_message(506, 1, "", attachments=(photo,)))
    await eventually(lambda: len(harness.title_requests()) == 1)
    await eventually(lambda: len(harness.notifications("message.created")) == 1)
    [ticket] = await harness.tickets()
    [message] = await harness.messages()
    assert ticket["last_message_preview"] == "[фото]"
    assert list(harness.title_requests()[0].messages) == ["[фото]"]
    assert message["attachments"][0]["kind"] == "photo"
    assert message["attachments"][0]["s3_key"] == "a/b.jpg"
    assert message["attachments"][0]["id"]  # generated when the bot sent none
    published = harness.notifications("message.created")[0].message.attachments[0]
    assert published.kind == pb.ATTACHMENT_KIND_PHOTO
    assert published.id == message["attachments"][0]["id"]


async def test_message_after_close_opens_a_new_ticket(
    harness: Harness, app: App, stub: api_grpc.TicketServiceAsyncStub
) -> None:
    await harness.send(customer_message(507, 1, "Первый вопрос"))
    await eventually(lambda: len(harness.notifications("message.created")) == 1)
    [first] = await harness.tickets()
    closed = await stub.CloseTicket(api.CloseTicketRequest(ticket_id=first["_id"], operator_id="оператор-1"))
    assert closed.ticket.status == pb.TICKET_STATUS_CLOSED
    assert closed.ticket.HasField("closed_at")
    again = await stub.CloseTicket(api.CloseTicketRequest(ticket_id=first["_id"], operator_id="оператор-1"))
    assert again.ticket.closed_at == closed.ticket.closed_at  # closing twice changes nothing
    assert await harness.db["active_tickets"].find_one({"_id": "507"}) is None

    await harness.send(customer_message(507, 2, "Новый вопрос"))
    await eventually(lambda: len(harness.notifications("ticket.created")) == 2, what="second ticket")
    await eventually(lambda: len(harness.title_requests()) == 2)
    tickets = {ticket["_id"]: ticket for ticket in await harness.tickets()}
    assert len(tickets) == 2
    assert tickets[first["_id"]]["status"] == "closed"
    [second] = [ticket for ticket in tickets.values() if ticket["_id"] != first["_id"]]
    assert second["status"] == "open"
    assert second["last_message_preview"] == "Новый вопрос"
    [second_message] = await harness.messages(telegram_message_id=2)
    assert second_message["ticket_id"] == second["_id"]

    def closed_updates() -> list[notifications.WebsocketNotification]:
        updates = harness.notifications("ticket.updated")
        return [update for update in updates if update.ticket.status == pb.TICKET_STATUS_CLOSED]

    # Closed, then the repeated close announces it again under the same event id.
    await eventually(lambda: len(closed_updates()) == 2, what="two announcements of the close")
    # A note on the closed ticket: same key, so a third announcement of the close would come before it.
    note = await stub.AddNote(
        api.AddNoteRequest(ticket_id=first["_id"], operator_id="оператор-1", text="контроль")
    )
    await eventually(
        lambda: any(n.message.id == note.message.id for n in harness.notifications("message.created")),
        what="the note after the close",
    )
    assert len(closed_updates()) == 2
    assert closed_updates()[0].event_id == closed_updates()[1].event_id


async def test_generated_title_is_stored_once_and_announced(
    harness: Harness, app: App, stub: api_grpc.TicketServiceAsyncStub
) -> None:
    await harness.send(customer_message(508, 1, TEXT))
    await eventually(lambda: len(harness.title_requests()) == 1)
    ticket_id = harness.title_requests()[0].ticket_id
    generated = new_event(
        summarizer.ChatTitleGenerated,
        ticket_id=ticket_id,
        title="Отклонена оплата картой «Мир»",
        source=summarizer.TITLE_SOURCE_FALLBACK,
    )
    await harness.send(generated, generated)
    await eventually(lambda: len(harness.notifications("ticket.updated")) == 2, what="ticket.updated")

    response = await stub.GetTicket(api.GetTicketRequest(ticket_id=ticket_id))
    assert response.ticket.title == "Отклонена оплата картой «Мир»"
    updates = harness.notifications("ticket.updated")
    assert {update.event_id for update in updates} == {updates[0].event_id}
    assert updates[0].ticket.title == "Отклонена оплата картой «Мир»"
    # Recorded once in the ticket's change log (an insert, not a ticket update), and written into the
    # ticket document with its checkpoint.
    changes = [doc async for doc in harness.db["ticket_changes"].find({})]
    assert [change["_id"] for change in changes] == [f"{ticket_id}~000000"], "the repeated title logged again"
    [stored] = await harness.tickets()
    assert stored["version"] == 1
    assert stored["title"] != "Отклонена оплата картой «Мир»"
    assert await app.repository.write_checkpoints(everything=True) == 1
    [stored] = await harness.tickets()
    assert stored["version"] == 2, "the repeated title changed the ticket again"  # 1: first message
    assert (stored["title"], stored["change_count"]) == ("Отклонена оплата картой «Мир»", 1)


async def test_a_logged_title_survives_a_crash_before_its_checkpoint(
    harness: Harness, app: App, tmp_path: Path
) -> None:
    """After a crash the ticket's document lacks the title; whoever loads the ticket or rebuilds the
    search index from the store reads it from the change log."""
    opened = await opened_ticket(harness, 509, "Не проходит платёж")
    await harness.send(customer_message(509, 2, "Второй раз тоже"))
    await eventually(lambda: len(harness.notifications("message.created")) == 2)
    titled = new_event(
        summarizer.ChatTitleGenerated,
        ticket_id=opened["_id"],
        title="Платёж отклонён банком",
        category="Платежи",
        subcategory="Отказы",
        source=summarizer.TITLE_SOURCE_FALLBACK,
    )
    await harness.send(titled)
    await eventually(lambda: len(harness.notifications("ticket.updated")) == 1, what="ticket.updated")
    [stored] = await harness.tickets()
    assert stored["title"] != "Платёж отклонён банком", "written at once, not logged"

    # A new single writer on the same store: what a restart after a crash has.
    restarted = Repository(harness.db, single_writer=True)
    ticket = await restarted.get_ticket(opened["_id"])
    assert ticket is not None
    assert (ticket["title"], ticket["category"], ticket["subcategory"]) == (
        "Платёж отклонён банком",
        "Платежи",
        "Отказы",
    )
    assert ticket["last_message_preview"] == "Второй раз тоже"
    assert ticket["version"] == opened["version"] + 2  # one message entry, one change
    index = SearchIndex(tmp_path / "rebuilt")
    try:
        await rebuild_from_store(index, harness.db)
        hits, _token = await index.search("отклонён")
        assert [(hit.ticket.id, hit.ticket.title) for hit in hits] == [
            (opened["_id"], "Платёж отклонён банком")
        ]
    finally:
        index.close()
    assert await restarted.write_checkpoints(everything=True) == 1
    [stored] = await harness.tickets()
    assert (stored["title"], stored["version"]) == ("Платёж отклонён банком", ticket["version"])


async def test_titles_of_a_poll_are_written_together_and_a_bad_one_goes_to_the_dead_letters(
    harness: Harness, app: App, stub: api_grpc.TicketServiceAsyncStub, caplog: pytest.LogCaptureFixture
) -> None:
    await harness.send(*(customer_message(chat, 1, TEXT) for chat in (531, 532, 533)))
    await eventually(lambda: len(harness.title_requests()) == 3)
    first, second, third = (request.ticket_id for request in harness.title_requests())
    await stub.UpdateTicket(
        api.UpdateTicketRequest(ticket_id=third, category="Выбрана оператором", update_paths=["category"])
    )

    def generated(ticket_id: str, title: str) -> summarizer.ChatTitleGenerated:
        return new_event(
            summarizer.ChatTitleGenerated,
            ticket_id=ticket_id,
            title=title,
            category="Карты",
            subcategory="Оплата",
            source=summarizer.TITLE_SOURCE_LLM,
        )

    await harness.send(
        generated(first, "Первый заголовок"),
        generated(second, "Второй заголовок"),
        generated(first, "Первый, уточнённый"),
        generated(third, "Третий заголовок"),
    )
    await eventually(lambda: len(harness.notifications("ticket.updated")) == 5, what="the updates")
    assert "batch handler failed" not in caplog.text, "the titles went one by one, not in a batch"
    # A title for a ticket that does not exist fails its batch; the others of the poll still land.
    await harness.send(generated("нет-такого-тикета", "Потерянный"), generated(second, "Второй, снова"))
    await eventually(lambda: len(harness.dead_letters(summarizer.ChatTitleGenerated)) == 1, what="the DLQ")
    await eventually(lambda: len(harness.notifications("ticket.updated")) == 6, what="the last update")

    tickets = {
        ticket_id: (await stub.GetTicket(api.GetTicketRequest(ticket_id=ticket_id))).ticket
        for ticket_id in (first, second, third)
    }
    assert tickets[first].title == "Первый, уточнённый"
    assert tickets[second].title == "Второй, снова"
    assert (tickets[first].category, tickets[first].subcategory) == ("Карты", "Оплата")
    assert tickets[third].title == "Третий заголовок"
    assert tickets[third].category == "Выбрана оператором", "a generated category replaced the operator's"
    # Two titles of one ticket in one poll are announced with the ticket as it is after both; in two
    # polls, in their order. Either way the last word is the later title.
    announced = [
        update.ticket.title for update in harness.notifications("ticket.updated") if update.ticket.id == first
    ]
    assert announced[-1] == "Первый, уточнённый", announced
    assert "Первый заголовок" not in announced[announced.index("Первый, уточнённый") :], announced


async def test_bad_events_go_to_the_dead_letter_topics(harness: Harness, app: App) -> None:
    topic = harness.topic(tickets_events.TicketCreated)
    no_chat = customer_message(509, 1, "без чата")
    no_chat.chat_id = 0
    await harness.producer.send(topic, b"0", no_chat.SerializeToString(), [])
    empty = new_event(tickets_events.TicketCreated, chat_id=509, telegram_message_id=2, sent_at=timestamp())
    unknown_ticket = new_event(summarizer.ChatTitleGenerated, ticket_id="нет-такого", title="Заголовок")
    await harness.send(empty, unknown_ticket, customer_message(509, 3, "Нормальное сообщение"))

    await eventually(
        lambda: len(harness.dead_letters(tickets_events.TicketCreated)) == 2, what="two DLQ records"
    )
    await eventually(lambda: len(harness.dead_letters(summarizer.ChatTitleGenerated)) == 1)
    dead = {
        record.headers["dlq-error"]: record for record in harness.dead_letters(tickets_events.TicketCreated)
    }
    assert {record.headers["dlq-reason"] for record in dead.values()} == {"rejected"}
    [no_chat_error] = [error for error in dead if "chat_id is 0" in error]
    [empty_error] = [error for error in dead if "neither text nor attachments" in error]
    assert dead[empty_error].value == empty.SerializeToString()
    assert dead[no_chat_error].key == b"0"
    await eventually(lambda: len(harness.notifications("message.created")) == 1, what="the good message")
    assert [message["text"] for message in await harness.messages()] == ["Нормальное сообщение"]


async def test_leftovers_of_a_crash_are_repaired(harness: Harness, app: App) -> None:
    """A crash can leave an active_tickets entry whose ticket was never written (between claiming the chat
    and creating the ticket) or is already closed (between closing and releasing the chat)."""
    await harness.db["active_tickets"].insert_one({"_id": "511", "ticket_id": "не-записанный-тикет"})
    await harness.db["tickets"].insert_one({"_id": "закрытый-тикет", "chat_id": 512, "status": "closed"})
    await harness.db["active_tickets"].insert_one({"_id": "512", "ticket_id": "закрытый-тикет"})
    await harness.send(customer_message(511, 1, "Первое сообщение"), customer_message(512, 1, "Снова я"))
    await eventually(lambda: len(harness.notifications("message.created")) == 2)

    [repaired] = await harness.tickets(chat_id=511)
    assert repaired["_id"] == "не-записанный-тикет"
    assert repaired["status"] == "open"
    assert repaired["last_message_preview"] == "Первое сообщение"
    reopened = {ticket["_id"]: ticket["status"] for ticket in await harness.tickets(chat_id=512)}
    assert len(reopened) == 2
    assert reopened["закрытый-тикет"] == "closed"
    [message] = await harness.messages(chat_id=512)
    assert message["ticket_id"] != "закрытый-тикет"
    assert reopened[message["ticket_id"]] == "open"
    entry = await harness.db["active_tickets"].find_one({"_id": "512"})
    assert entry is not None
    assert entry["ticket_id"] == message["ticket_id"]


async def test_generated_category_fills_an_empty_one_only(
    harness: Harness, app: App, stub: api_grpc.TicketServiceAsyncStub
) -> None:
    await harness.send(customer_message(520, 1, TEXT), customer_message(521, 1, TEXT))
    await eventually(lambda: len(harness.title_requests()) == 2)
    first, second = (request.ticket_id for request in harness.title_requests())
    await stub.UpdateTicket(
        api.UpdateTicketRequest(ticket_id=second, category="Вклады", update_paths=["category"])
    )
    for ticket_id in (first, second):
        await harness.send(
            new_event(
                summarizer.ChatTitleGenerated,
                ticket_id=ticket_id,
                title="Оплата картой",
                category="Карточки",
                subcategory="Оплата",
            )
        )

    async def titled() -> bool:
        tickets = [(await stub.GetTicket(api.GetTicketRequest(ticket_id=t))).ticket for t in (first, second)]
        return all(ticket.title == "Оплата картой" for ticket in tickets)

    await eventually(titled, what="both titles")
    auto = (await stub.GetTicket(api.GetTicketRequest(ticket_id=first))).ticket
    manual = (await stub.GetTicket(api.GetTicketRequest(ticket_id=second))).ticket
    assert (auto.category, auto.subcategory) == ("Карточки", "Оплата")
    assert manual.category == "Вклады"


async def test_a_burst_keeps_each_tickets_order_and_opens_one_ticket_per_chat(
    harness: Harness, caplog: pytest.LogCaptureFixture
) -> None:
    chats, per_chat = range(7001, 7013), 12
    events = [
        customer_message(chat, number, f"Сообщение номер {number}")
        for number in range(1, per_chat + 1)
        for chat in chats
    ]
    # Published before the service starts, so its first polls take many messages of every chat at once
    # (the first messages of a chat arrive together and race to open its ticket).
    await harness.producer.publish_many(events)
    app = await harness.start_app()
    stub = harness.stub(app)
    await eventually(
        lambda: len(harness.notifications("message.created")) == len(events), what="every message.created"
    )

    tickets = await harness.tickets()
    assert sorted(ticket["chat_id"] for ticket in tickets) == list(chats), "one ticket per chat"
    assert len(await harness.messages()) == len(events)
    for ticket in tickets:
        listed = await stub.ListMessages(api.ListMessagesRequest(ticket_id=ticket["_id"]))
        assert [item.telegram_message_id for item in listed.messages] == list(range(1, per_chat + 1))
        assert ticket["last_message_id"] == listed.messages[-1].id
        assert ticket["first_message_id"] == listed.messages[0].id
    announced: dict[str, list[int]] = {}
    for notice in harness.notifications("message.created"):
        announced.setdefault(notice.ticket_id, []).append(notice.message.telegram_message_id)
    assert all(numbers == list(range(1, per_chat + 1)) for numbers in announced.values())
    assert len(harness.notifications("ticket.created")) == len(chats)
    assert len(harness.title_requests()) == len(chats)
    assert "batch handler failed" not in caplog.text, "the burst went one by one, not in batches"


async def test_follow_ups_go_to_the_tickets_log_and_a_long_log_is_checkpointed(
    harness: Harness, app: App, stub: api_grpc.TicketServiceAsyncStub
) -> None:
    opened = await opened_ticket(harness, 541, "Первое")
    await harness.send(customer_message(541, 2, "Второе"))
    await eventually(lambda: len(harness.notifications("message.created")) == 2)

    # The follow-up is an entry of the ticket's log; the document still shows its opening.
    [document] = await harness.tickets(chat_id=541)
    assert document["version"] == opened["version"]
    assert document["last_message_preview"] == "Первое"
    shown = (await stub.GetTicket(api.GetTicketRequest(ticket_id=opened["_id"]))).ticket
    assert shown.last_message_preview == "Второе"
    entry = await harness.db["ticket_entries"].find_one({"_id": f"{opened['_id']}:00000001"})
    assert entry is not None

    # 32 entries make the log long enough to write the document (well before the age limit).
    await harness.send(*(customer_message(541, number, f"Сообщение {number}") for number in range(3, 34)))

    async def checkpointed() -> bool:
        [doc] = await harness.tickets(chat_id=541)
        return int(doc.get("entry_count", 0)) >= 33 - 1  # the opening message is not an entry

    await eventually(checkpointed, timeout_s=10, what="the checkpoint")
    [document] = await harness.tickets(chat_id=541)
    length = int(document["entry_count"])  # 32 or 33: as far as the log had got when it was written
    assert document["last_message_preview"] == f"Сообщение {length}"
    assert document["version"] == opened["version"] + length - 1
    listed = await stub.ListMessages(api.ListMessagesRequest(ticket_id=opened["_id"], page_size=50))
    assert [message.telegram_message_id for message in listed.messages] == list(range(1, 34))


async def test_a_short_log_is_checkpointed_when_its_oldest_entry_is_old(harness: Harness) -> None:
    harness.settings = harness.settings.model_copy(update={"checkpoint_after_s": 1.0})
    await harness.start_app()
    opened = await opened_ticket(harness, 542, "Первое")
    await harness.send(customer_message(542, 2, "Второе"))
    await eventually(lambda: len(harness.notifications("message.created")) == 2)

    async def checkpointed() -> bool:
        [doc] = await harness.tickets(chat_id=542)
        return bool(doc["last_message_preview"] == "Второе")

    await eventually(checkpointed, timeout_s=10, what="the checkpoint by age")
    [document] = await harness.tickets(chat_id=542)
    assert document["version"] == opened["version"] + 1
    assert document["entry_count"] == 2  # the ticket's index: its opening message and one entry


async def test_checkpoints_due_together_are_written_oldest_first_within_the_limit(harness: Harness) -> None:
    """After a burst many checkpoints fall due at once; a round writes only `limit`, the oldest first."""
    harness.settings = harness.settings.model_copy(update={"checkpoint_after_s": 3600.0})
    app = await harness.start_app()
    chats = (543, 544, 545)
    await harness.send(*(customer_message(chat, 1, "Первое") for chat in chats))
    await eventually(lambda: len(harness.notifications("message.created")) == 3)
    opened = {doc["chat_id"]: doc for doc in await harness.tickets()}
    for count, chat in enumerate(chats, start=4):  # in this order: the first chat's log is the oldest
        await harness.send(customer_message(chat, 2, "Второе"))
        await eventually(lambda count=count: len(harness.notifications("message.created")) == count)
    assert await app.repository.write_checkpoints(limit=2) == 0, "none is due yet"
    app.repository.checkpoint_after_s = 0.0
    assert await app.repository.write_checkpoints(limit=2) == 2
    written = {doc["chat_id"]: doc.get("entry_count", 1) for doc in await harness.tickets()}
    assert written == {543: 2, 544: 2, 545: 1}
    assert await app.repository.write_checkpoints(limit=2) == 1
    assert [doc["version"] for doc in await harness.tickets(chat_id=545)] == [opened[545]["version"] + 1]


async def test_on_ferretdb_only_the_id_indexes_are_kept(harness: Harness) -> None:
    """FerretDB v1 answers no query from a secondary index but maintains each on every write."""
    await harness.db["tickets"].create_index([("status", 1)])  # as an older version created them
    await harness.start_app()
    for name in ("tickets", "messages", "active_tickets"):
        assert list(await harness.db[name].index_information()) in ([], ["_id_"]), name


async def test_entries_under_a_numeric_chat_id_are_moved_to_their_string_key_at_start(
    harness: Harness,
) -> None:
    """Older versions keyed active_tickets by the numeric chat id (FerretDB finds it only by scanning)."""
    await harness.db["tickets"].insert_one(
        {"_id": "старый-тикет", "chat_id": 513, "status": "open", "message_ids": [], "version": 0}
    )
    await harness.db["active_tickets"].insert_one({"_id": 513, "ticket_id": "старый-тикет"})
    await harness.start_app()
    await harness.send(customer_message(513, 1, "Я снова здесь"))
    await eventually(lambda: len(harness.notifications("message.created")) == 1)

    [message] = await harness.messages(chat_id=513)
    assert message["ticket_id"] == "старый-тикет"
    entries = [entry async for entry in harness.db["active_tickets"].find({})]
    assert [(entry["_id"], entry["ticket_id"]) for entry in entries] == [("513", "старый-тикет")]


async def test_the_numeric_chat_key_scan_runs_at_the_first_start_only(harness: Harness) -> None:
    """The scan reads the whole collection on FerretDB: once it has run, later starts skip it."""
    first = await harness.start_app()
    await first.stop()
    harness.apps.remove(first)
    await harness.db["active_tickets"].insert_one({"_id": 514, "ticket_id": "никем-не-перенесённый"})
    await harness.start_app()

    entries = [entry async for entry in harness.db["active_tickets"].find({})]
    assert [entry["_id"] for entry in entries] == [514]
    assert await harness.db["store_migrations"].count_documents({}) == 1
