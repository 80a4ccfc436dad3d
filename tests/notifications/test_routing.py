from services.notifications.routing import full_payload, payload_for
from t1.notifications.v1 import events_pb2
from t1.tickets.v1 import ticket_pb2
from t1lib.auth import Principal, Role
from t1lib.events import new_event

ALICE = Principal("op-alice", Role.OPERATOR, "alice")
BOB = Principal("op-bob", Role.OPERATOR, "bob")
ADMIN = Principal("op-root", Role.ADMIN, "root")


def event(status: int, assignee: str = "", kind: str = "ticket.updated") -> events_pb2.WebsocketNotification:
    ticket = ticket_pb2.Ticket(
        id="t-1",
        title="Не проходит оплата",
        status=status,  # type: ignore[arg-type]
        assignee_id=assignee,
        customer=ticket_pb2.Customer(chat_id=5, first_name="Иван"),
    )
    notification = new_event(events_pb2.WebsocketNotification, ticket_id="t-1", type=kind, ticket=ticket)
    if kind.startswith("message."):
        notification.message.CopyFrom(ticket_pb2.Message(id="m-1", ticket_id="t-1", text="Здравствуйте"))
    return notification


def test_queue_events_reach_every_operator() -> None:
    notification = event(ticket_pb2.TICKET_STATUS_OPEN, kind="ticket.created")
    full = full_payload(notification)
    assert payload_for(ALICE, notification, full) == full
    assert payload_for(BOB, notification, full) == full
    assert full.ticket.title == "Не проходит оплата"


def test_assigned_ticket_events_reach_only_assignee_and_admins() -> None:
    notification = event(ticket_pb2.TICKET_STATUS_ASSIGNED, "op-alice", kind="message.created")
    full = full_payload(notification)
    assert payload_for(ALICE, notification, full) == full
    assert payload_for(ADMIN, notification, full) == full
    assert payload_for(BOB, notification, full) is None
    assert full.message is not None
    assert full.message.text == "Здравствуйте"


def test_others_learn_only_that_a_ticket_left_their_view() -> None:
    notification = event(ticket_pb2.TICKET_STATUS_ASSIGNED, "op-alice")
    hidden = payload_for(BOB, notification, full_payload(notification))
    assert hidden is not None
    assert hidden.model_dump() == {
        "type": "ticket.hidden",
        "event_id": notification.event_id,
        "ticket_id": "t-1",
    }
