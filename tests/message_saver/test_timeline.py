"""The timeline's rules (no engines): folding replies, the bound, and what older tickets derive."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from services.message_saver import convert, timeline
from services.message_saver.timeline import Kind, TicketEvent
from t1.tickets.v1 import ticket_pb2 as pb

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def recorded(*events: TicketEvent) -> list[dict[str, object]]:
    stored: list[dict[str, object]] = []
    for event in events:
        stored = timeline.record(stored, event)
    return stored


def test_consecutive_replies_of_one_operator_fold_into_one_entry_with_count_and_times() -> None:
    stored = recorded(
        timeline.opened(at(0)),
        timeline.taken("anna", at(1)),
        timeline.replied("anna", at(2)),
        timeline.replied("anna", at(5)),
        timeline.replied("anna", at(9)),
    )
    assert [entry["kind"] for entry in stored] == ["opened", "taken", "replied"]
    reply = TicketEvent.from_doc(stored[-1])
    assert reply == TicketEvent(Kind.REPLIED, at(2), actor_id="anna", count=3, last_at=at(9))


def test_replies_do_not_fold_across_another_operator_or_another_event() -> None:
    stored = recorded(
        timeline.replied("anna", at(1)),
        timeline.replied("boris", at(2)),
        timeline.replied("boris", at(3)),
        timeline.assigned("admin", "anna", at(4)),
        timeline.replied("anna", at(5)),
        timeline.closed("anna", at(6)),
    )
    events = [TicketEvent.from_doc(entry) for entry in stored]
    assert [(e.kind, e.actor_id, e.count) for e in events if e is not None] == [
        (Kind.REPLIED, "anna", 1),
        (Kind.REPLIED, "boris", 2),
        (Kind.ASSIGNED, "admin", 1),
        (Kind.REPLIED, "anna", 1),
        (Kind.CLOSED, "anna", 1),
    ]
    assert events[2] is not None
    assert events[2].target_id == "anna"


def test_the_stored_array_is_bounded_keeping_the_newest_and_the_opening_is_derived_again() -> None:
    events = [timeline.opened(at(0))]
    for minute in range(1, timeline.EVENTS_LIMIT + 20):
        operator = "anna" if minute % 2 else "boris"  # alternating: nothing folds
        events.append(timeline.assigned("admin", operator, at(minute)))
    stored = recorded(*events)
    assert len(stored) == timeline.EVENTS_LIMIT
    assert stored[-1]["at"] == at(timeline.EVENTS_LIMIT + 19)
    derived = timeline.timeline_of({"created_at": at(0), "status": "assigned", "events": stored})
    assert derived[0] == timeline.opened(at(0))
    assert len(derived) == timeline.EVENTS_LIMIT + 1


def test_a_ticket_stored_before_the_timeline_gets_opened_and_closed_from_its_fields() -> None:
    ticket = {"status": "closed", "created_at": at(0), "closed_at": at(30), "closed_by": "anna"}
    assert timeline.timeline_of(ticket) == [timeline.opened(at(0)), timeline.closed("anna", at(30))]
    still_open = {"status": "open", "created_at": at(0)}
    assert timeline.timeline_of(still_open) == [timeline.opened(at(0))]


def test_a_ticket_taken_before_and_closed_after_the_change_is_completed_not_duplicated() -> None:
    ticket = {
        "status": "closed",
        "created_at": at(0),
        "closed_at": at(30),
        "closed_by": "anna",
        "events": recorded(timeline.replied("anna", at(10)), timeline.closed("anna", at(30))),
    }
    kinds = [event.kind for event in timeline.timeline_of(ticket)]
    assert kinds == [Kind.OPENED, Kind.REPLIED, Kind.CLOSED]


def test_unfolded_entries_pushed_by_mongodb_writers_are_folded_when_read() -> None:
    pushed = [event.to_doc() for event in (timeline.replied("anna", at(1)), timeline.replied("anna", at(2)))]
    events = timeline.timeline_of({"created_at": at(0), "status": "assigned", "events": pushed})
    assert events[1] == TicketEvent(Kind.REPLIED, at(1), actor_id="anna", count=2, last_at=at(2))


def test_an_entry_of_an_unknown_kind_is_skipped() -> None:
    stored = [{"kind": "teleported", "at": at(1)}, timeline.taken("anna", at(2)).to_doc()]
    events = timeline.timeline_of({"created_at": at(0), "status": "assigned", "events": stored})
    assert [event.kind for event in events] == [Kind.OPENED, Kind.TAKEN]


def test_events_as_protos() -> None:
    reply = convert.ticket_event_proto(
        TicketEvent(Kind.REPLIED, at(1), actor_id="anna", count=2, last_at=at(3))
    )
    assert reply.kind == pb.TICKET_EVENT_KIND_REPLIED
    assert (reply.actor_operator_id, reply.count) == ("anna", 2)
    assert reply.last_at.ToDatetime(tzinfo=UTC) == at(3)
    assigned = convert.ticket_event_proto(timeline.assigned("admin", "anna", at(4)))
    assert (assigned.actor_operator_id, assigned.target_operator_id) == ("admin", "anna")
    assert not assigned.HasField("last_at")
