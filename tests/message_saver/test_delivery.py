"""Operator replies leave message_saver from its own write (the outbox), and the bot's delivery outcomes
come back onto the messages: idempotent, out-of-order safe, shown to operators as message.updated."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import TYPE_CHECKING

import grpc
import pytest

from services.message_saver.app import App
from services.message_saver.delivery import Delivery, supersedes
from services.message_saver.replies import closed_event_id, reply_event_id
from t1.notifications.v1 import events_pb2 as notifications
from t1.tickets.v1 import events_pb2 as tickets_events
from t1.tickets.v1 import ticket_pb2 as pb
from t1.tickets.v1 import ticket_service_pb2 as api
from t1lib.events import timestamp
from tests.message_saver.conftest import Harness, customer_message
from tests.support.kafka import Reader
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

if TYPE_CHECKING:
    from t1.tickets.v1 import ticket_service_pb2_grpc as api_grpc

    Stub = api_grpc.TicketServiceAsyncStub

OPERATOR = "оператор-анна"


@pytest.fixture
async def replies(harness: Harness) -> AsyncIterator[Reader]:
    """What message_saver publishes for the bot and for the console."""
    topics = [harness.topic(tickets_events.OperatorReply), harness.topic(notifications.WebsocketNotification)]
    reader = Reader(harness.bootstrap, harness.registry, topics)
    yield reader
    reader.close()


def published_replies(harness: Harness, reader: Reader) -> list[tickets_events.OperatorReply]:
    found = [record.event for record in reader.records(harness.topic(tickets_events.OperatorReply))]
    return [event for event in found if isinstance(event, tickets_events.OperatorReply)]


def shown(harness: Harness, reader: Reader, message_id: str) -> list[pb.Message]:
    """The message as every message.updated showed it, in order."""
    found = [record.event for record in reader.records(harness.topic(notifications.WebsocketNotification))]
    return [
        event.message
        for event in found
        if isinstance(event, notifications.WebsocketNotification)
        and event.type == "message.updated"
        and event.message.id == message_id
    ]


def outcome(
    message: pb.Message, status: pb.DeliveryStatus, attempt: int = 1, reason: str = ""
) -> tickets_events.DeliveryOutcome:
    return tickets_events.DeliveryOutcome(
        event_id=f"outcome-{message.id}-{attempt}-{status}",
        occurred_at=timestamp(),
        ticket_id=message.ticket_id,
        message_id=message.id,
        status=status,
        reason=reason,
        delivery_attempt=attempt,
        reply_event_id=reply_event_id(message.id),
    )


async def open_ticket(harness: Harness, stub: Stub, chat_id: int) -> str:
    await harness.send(customer_message(chat_id, 1, "Здравствуйте! Не проходит оплата"))

    async def stored() -> bool:
        return len(await harness.tickets(chat_id=chat_id)) == 1

    await eventually(stored, what="the ticket")
    ticket_id = str((await harness.tickets(chat_id=chat_id))[0]["_id"])
    await stub.TakeTicket(api.TakeTicketRequest(ticket_id=ticket_id, operator_id=OPERATOR))
    return ticket_id


async def reply(stub: Stub, ticket_id: str, text: str) -> pb.Message:
    response = await stub.AddOperatorMessage(
        api.AddOperatorMessageRequest(ticket_id=ticket_id, operator_id=OPERATOR, text=text)
    )
    return response.message


async def delivery_of(stub: Stub, message: pb.Message) -> tuple[int, int, str]:
    page = await stub.ListMessages(api.ListMessagesRequest(ticket_id=message.ticket_id, page_size=100))
    stored = next(item for item in page.messages if item.id == message.id)
    return stored.delivery_status, stored.delivery_attempt, stored.delivery_error


async def settled(harness: Harness, stub: Stub, ticket_id: str) -> None:
    """Every outcome published so far on this ticket's partition is handled: a sentinel reply's outcome
    published after them is."""
    sentinel = await reply(stub, ticket_id, "контрольное сообщение")
    await harness.send(outcome(sentinel, pb.DELIVERY_STATUS_SENT))

    async def handled() -> bool:
        return (await delivery_of(stub, sentinel))[0] == pb.DELIVERY_STATUS_SENT

    await eventually(handled, what="the sentinel's outcome")


def test_sent_is_final_and_a_later_attempt_wins() -> None:
    sending, failed, sent = Delivery("sending", 1), Delivery("failed", 1, "blocked"), Delivery("sent", 1)
    assert supersedes(sent, sending)
    assert supersedes(failed, sending)
    assert supersedes(sent, failed)
    assert not supersedes(sending, sent)
    assert not supersedes(Delivery("failed", 2), sent)
    assert not supersedes(sending, failed)  # the same attempt's outcome stays
    assert supersedes(Delivery("sending", 2), failed)  # a retry
    assert not supersedes(failed, Delivery("sending", 2))  # the earlier attempt's failure is stale
    assert supersedes(Delivery("failed", 2), Delivery("sending", 2))


async def test_a_reply_is_published_by_message_saver_and_its_outcomes_come_back(
    harness: Harness, app: App, stub: Stub, replies: Reader
) -> None:
    ticket_id = await open_ticket(harness, stub, 7101)
    message = await reply(stub, ticket_id, "Проверьте лимит карты")
    assert (message.delivery_status, message.delivery_attempt) == (pb.DELIVERY_STATUS_SENDING, 1)

    await eventually(lambda: len(published_replies(harness, replies)) == 1, what="the operator reply")
    event = published_replies(harness, replies)[0]
    assert event.event_id == reply_event_id(message.id)
    assert (event.ticket_id, event.message_id, event.text) == (ticket_id, message.id, "Проверьте лимит карты")
    assert (event.chat_id, event.language_code, event.delivery_attempt) == (7101, "ru", 1)
    assert not await app.outbox.is_pending(event.event_id)

    await harness.send(outcome(message, pb.DELIVERY_STATUS_SENT))
    await eventually(lambda: len(shown(harness, replies, message.id)) == 1, what="message.updated")
    assert shown(harness, replies, message.id)[0].delivery_status == pb.DELIVERY_STATUS_SENT
    # A redelivered outcome and a stale failure of the same attempt change nothing.
    await harness.send(outcome(message, pb.DELIVERY_STATUS_SENT))
    await harness.send(outcome(message, pb.DELIVERY_STATUS_FAILED, reason="Forbidden: bot was blocked"))
    await settled(harness, stub, ticket_id)
    assert await delivery_of(stub, message) == (pb.DELIVERY_STATUS_SENT, 1, "")
    assert {item.delivery_status for item in shown(harness, replies, message.id)} == {pb.DELIVERY_STATUS_SENT}

    # Only a failed delivery can be retried.
    with pytest.raises(grpc.aio.AioRpcError) as raised:
        await stub.RetryDelivery(
            api.RetryDeliveryRequest(ticket_id=ticket_id, message_id=message.id, operator_id=OPERATOR)
        )
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION


async def test_a_failed_delivery_is_retried_and_stale_outcomes_are_ignored(
    harness: Harness, app: App, stub: Stub, replies: Reader
) -> None:
    ticket_id = await open_ticket(harness, stub, 7102)
    message = await reply(stub, ticket_id, "Ответ клиенту, заблокировавшему бота")
    blocked = "Forbidden: bot was blocked by the user"
    await harness.send(outcome(message, pb.DELIVERY_STATUS_FAILED, reason=blocked))

    async def failed() -> bool:
        return await delivery_of(stub, message) == (pb.DELIVERY_STATUS_FAILED, 1, blocked)

    await eventually(failed, what="the failure stored")
    await eventually(lambda: len(shown(harness, replies, message.id)) == 1, what="message.updated")
    assert shown(harness, replies, message.id)[0].delivery_error == blocked

    retry = api.RetryDeliveryRequest(ticket_id=ticket_id, message_id=message.id, operator_id=OPERATOR)
    retried = (await stub.RetryDelivery(retry)).message
    assert (retried.delivery_status, retried.delivery_attempt, retried.delivery_error) == (
        pb.DELIVERY_STATUS_SENDING,
        2,
        "",
    )
    # The same event id (the bot resumes what it did not send), now asking for attempt 2.
    await eventually(lambda: len(published_replies(harness, replies)) == 2, what="the retried reply")
    again = [event for event in published_replies(harness, replies) if event.message_id == message.id]
    assert [event.delivery_attempt for event in again] == [1, 2]
    assert {event.event_id for event in again} == {reply_event_id(message.id)}
    with pytest.raises(grpc.aio.AioRpcError) as raised:  # it is sending now
        await stub.RetryDelivery(retry)
    assert raised.value.code() == grpc.StatusCode.FAILED_PRECONDITION

    # The first attempt's failure, redelivered late, does not undo the retry.
    await harness.send(outcome(message, pb.DELIVERY_STATUS_FAILED, reason=blocked))
    await settled(harness, stub, ticket_id)
    assert await delivery_of(stub, message) == (pb.DELIVERY_STATUS_SENDING, 2, "")
    await harness.send(outcome(message, pb.DELIVERY_STATUS_SENT, attempt=2))

    async def sent() -> bool:
        return await delivery_of(stub, message) == (pb.DELIVERY_STATUS_SENT, 2, "")

    await eventually(sent, what="the retry delivered")
    await eventually(
        lambda: (
            [item.delivery_status for item in shown(harness, replies, message.id)][-1:]
            == [pb.DELIVERY_STATUS_SENT]
        ),
        what="message.updated sent",
    )
    statuses = [item.delivery_status for item in shown(harness, replies, message.id)]
    assert statuses == [pb.DELIVERY_STATUS_FAILED, pb.DELIVERY_STATUS_SENDING, pb.DELIVERY_STATUS_SENT]


async def test_a_close_is_published_by_message_saver(
    harness: Harness, app: App, stub: Stub, replies: Reader
) -> None:
    ticket_id = await open_ticket(harness, stub, 7103)
    closed = await stub.CloseTicket(api.CloseTicketRequest(ticket_id=ticket_id, operator_id=OPERATOR))
    again = await stub.CloseTicket(api.CloseTicketRequest(ticket_id=ticket_id, operator_id="другой"))
    assert again.ticket.closed_at == closed.ticket.closed_at

    await eventually(lambda: len(published_replies(harness, replies)) == 2, what="the close, twice")
    events = published_replies(harness, replies)
    closed_at = closed.ticket.closed_at.ToDatetime()
    assert {event.event_id for event in events} == {closed_event_id(ticket_id, closed_at)}
    assert {event.kind for event in events} == {tickets_events.OPERATOR_REPLY_KIND_TICKET_CLOSED}
    assert {(event.chat_id, event.operator_id) for event in events} == {(7103, OPERATOR)}
    assert not await app.outbox.is_pending(events[0].event_id)


async def test_the_relay_publishes_only_what_was_stored(
    harness: Harness, app: App, stub: Stub, replies: Reader
) -> None:
    ticket_id = await open_ticket(harness, stub, 7104)
    desk = app.servicer.desk
    # A crash after storing: the reply and its entry are in the store, nothing was published.
    stored, _ticket, _reply = await desk.store_operator_message(
        api.AddOperatorMessageRequest(ticket_id=ticket_id, operator_id=OPERATOR, text="Потерянный ответ")
    )
    # A crash before storing: the entry of a reply that never was.
    ghost = tickets_events.OperatorReply(
        event_id=reply_event_id("never-stored"), ticket_id=ticket_id, message_id="never-stored", chat_id=7104
    )
    await app.outbox.add(ghost)
    assert await app.outbox.relay(min_age_s=60) == 0  # too young: their calls may still be running
    assert await app.outbox.relay(min_age_s=0) == 1
    await eventually(lambda: len(published_replies(harness, replies)) == 1, what="the relayed reply")
    assert published_replies(harness, replies)[0].message_id == stored["_id"]
    assert not await app.outbox.is_pending(reply_event_id(stored["_id"]))
    assert await app.outbox.is_pending(ghost.event_id)
