"""Hints read the customer's opening request and what they said last, however long the ticket's history
and however many replies the operators wrote since (gateway `opening_messages` and `recent_messages` over
message_saver's ListMessages)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import TYPE_CHECKING, cast

import pytest

from gateway.api.routes.tickets import opening_messages, recent_messages
from gateway.context import AppContext
from gateway.domain.hints import MAX_CONVERSATION_MESSAGES, hints_messages
from services.message_saver.app import App
from t1.tickets.v1 import ticket_pb2 as pb
from t1.tickets.v1 import ticket_service_pb2 as api
from tests.message_saver.conftest import Harness, customer_message
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

if TYPE_CHECKING:
    from t1.tickets.v1 import ticket_service_pb2_grpc as api_grpc

    Stub = api_grpc.TicketServiceAsyncStub

CUSTOMER_MESSAGES, OPERATOR_REPLIES = 60, 40


async def test_hints_use_the_newest_customer_messages_of_a_long_history(
    harness: Harness, app: App, stub: Stub
) -> None:
    chat_id = 7301
    for number in range(1, CUSTOMER_MESSAGES + 1):
        await harness.send(customer_message(chat_id, number, f"вопрос {number}"))

    async def stored() -> bool:
        return len(await harness.messages(chat_id=chat_id)) == CUSTOMER_MESSAGES

    await eventually(stored, timeout_s=60, what="the customer's messages")
    ticket_id = str((await harness.tickets(chat_id=chat_id))[0]["_id"])
    for number in range(OPERATOR_REPLIES):
        await stub.AddOperatorMessage(
            api.AddOperatorMessageRequest(ticket_id=ticket_id, operator_id="оператор", text=f"ответ {number}")
        )
    await stub.AddNote(api.AddNoteRequest(ticket_id=ticket_id, operator_id="оператор", text="заметка"))

    context = cast(AppContext, SimpleNamespace(tickets=stub))
    recent = await recent_messages(context, ticket_id)
    assert recent, "no customer messages read"
    assert {message.direction for message in recent} == {pb.MESSAGE_DIRECTION_CUSTOMER}
    assert recent[-1].text == f"вопрос {CUSTOMER_MESSAGES}"
    opening = await opening_messages(context, ticket_id)
    assert opening[0].text == "вопрос 1"
    latest = range(CUSTOMER_MESSAGES - MAX_CONVERSATION_MESSAGES + 2, CUSTOMER_MESSAGES + 1)
    assert hints_messages(opening, recent) == ["вопрос 1", *(f"вопрос {number}" for number in latest)]
