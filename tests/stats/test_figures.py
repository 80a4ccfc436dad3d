"""Stats from events: the same figures whatever the order and however often events come, a changed rating
replacing the old one, a new ticket of the same customer counted apart, percentiles within 5%."""

from __future__ import annotations

import itertools
import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from services.stats.facts import MessageFact, Review, TicketFacts, TicketSnapshot
from services.stats.figures import Scope, by_operator, daily, summary
from services.stats.tally import Ledger, bucket_seconds, duration_bucket

MINSK = ZoneInfo("Europe/Minsk")
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)  # 12:00 in Minsk, Monday 2 November
DAY = date(2026, 11, 2)

Event = TicketSnapshot | MessageFact | Review


def snapshot(
    ticket: str,
    minutes: float,
    *,
    closed: float | None = None,
    operator: str = "",
    category: str = "Карты",
    messages: int = 1,
) -> TicketSnapshot:
    return TicketSnapshot(
        ticket_id=ticket,
        updated_at=T0 + timedelta(minutes=minutes),
        event_id=f"{ticket}:{minutes}",
        created_at=T0,
        closed_at=None if closed is None else T0 + timedelta(minutes=closed),
        operator_id=operator,
        category=category,
        message_count=messages,
    )


def message(ticket: str, id_: str, minutes: float, *, customer: bool, internal: bool = False) -> MessageFact:
    return MessageFact(
        ticket, id_, T0 + timedelta(minutes=minutes), from_customer=customer, internal=internal
    )


def review(ticket: str, score: int, minutes: float, comment: str = "", operator: str = "op-1") -> Review:
    return Review(
        ticket, f"review:{ticket}:{minutes}", operator, score, comment, T0 + timedelta(minutes=minutes)
    )


def conversation(ticket: str = "t-1", operator: str = "op-1") -> list[Event]:
    """Opened at T0, first reply after 4 minutes, an internal note, closed after 30, rated 4 then 5."""
    return [
        snapshot(ticket, 0),
        message(ticket, f"{ticket}-m1", 0, customer=True),
        snapshot(ticket, 2, operator=operator),
        message(ticket, f"{ticket}-m2", 4, customer=False),
        message(ticket, f"{ticket}-note", 5, customer=False, internal=True),
        message(ticket, f"{ticket}-m3", 10, customer=True),
        snapshot(ticket, 30, closed=30, operator=operator, messages=3),
        review(ticket, 4, 31),
        review(ticket, 5, 40, "спасибо"),
    ]


def apply(events: list[Event], ledger: Ledger | None = None) -> tuple[Ledger, dict[str, TicketFacts]]:
    ledger = ledger or Ledger(MINSK)
    facts: dict[str, TicketFacts] = {}
    for event in events:
        before = facts.get(event.ticket_id)
        current = before or TicketFacts(event.ticket_id)
        if isinstance(event, TicketSnapshot):
            after = current.with_snapshot(event)
        elif isinstance(event, MessageFact):
            after = current.with_message(event)
        else:
            after = current.with_review(event)
        ledger.change(before, after)
        facts[event.ticket_id] = after
    return ledger, facts


def test_one_conversation_gives_the_figures_a_lead_expects() -> None:
    ledger, facts = apply(conversation())
    figures = summary(ledger, Scope(DAY, DAY))
    assert (figures.tickets_created, figures.tickets_closed, figures.backlog) == (1, 1, 0)
    assert (figures.ratings_count, figures.csat_average) == (1, 5.0)
    assert figures.csat_distribution == {"1": 0, "2": 0, "3": 0, "4": 0, "5": 1}
    assert figures.rating_response_rate == 1.0
    assert figures.messages_per_ticket == 3  # as message_saver counted them at the close
    assert figures.first_response_p50_s == pytest.approx(240, rel=0.05)
    assert figures.resolution_p90_s == pytest.approx(1800, rel=0.05)
    review_ = facts["t-1"].review
    assert review_ is not None
    assert (review_.score, review_.comment) == (5, "спасибо")


def test_any_order_and_any_repetition_give_the_same_figures() -> None:
    events = conversation("t-1") + conversation("t-2", "op-2")
    expected = summary(apply(events)[0], Scope(DAY, DAY))
    shuffler = random.Random(8)
    for _ in range(30):
        replayed = events + shuffler.sample(events, k=len(events) // 2)  # half of them twice
        shuffler.shuffle(replayed)
        assert summary(apply(replayed)[0], Scope(DAY, DAY)) == expected


def test_a_changed_rating_replaces_the_old_one_whichever_arrives_last() -> None:
    first, later = review("t-1", 2, 31), review("t-1", 5, 40)
    for order in itertools.permutations([first, later]):
        ledger, _facts = apply([*conversation()[:7], *order])
        figures = summary(ledger, Scope(DAY, DAY))
        assert (figures.ratings_count, figures.csat_average) == (1, 5.0)


def test_a_new_ticket_of_the_same_customer_is_counted_apart_and_the_backlog_follows_the_days() -> None:
    next_day = T0 + timedelta(days=1)
    new_ticket = TicketSnapshot("t-2", next_day, "t-2:open", next_day, None, "", "Карты")
    events = [*conversation("t-1"), new_ticket, MessageFact("t-2", "t-2-m1", next_day, from_customer=True)]
    ledger, _facts = apply(events)
    two_days = Scope(DAY, DAY + timedelta(days=1))
    assert summary(ledger, two_days).tickets_created == 2
    series = daily(ledger, two_days)
    assert [(day, point.tickets_created, point.tickets_closed, point.backlog) for day, point in series] == [
        (DAY, 1, 1, 0),
        (DAY + timedelta(days=1), 1, 0, 1),
    ]


def test_operators_see_only_their_figures_and_days_follow_the_time_zone() -> None:
    ledger, _facts = apply(conversation("t-1", "op-1") + conversation("t-2", "op-2"))
    rows = by_operator(ledger, Scope(DAY, DAY))
    assert set(rows) == {"op-1", "op-2"}
    assert rows["op-1"].tickets_closed == 1
    assert summary(ledger, Scope(DAY, DAY, operator_id="op-2")).tickets_created == 1
    # 22:30 UTC on 1 November is already 2 November in Minsk (UTC+3).
    late = TicketSnapshot(
        "t-3",
        datetime(2026, 11, 1, 22, 30, tzinfo=UTC),
        "e",
        datetime(2026, 11, 1, 22, 30, tzinfo=UTC),
        None,
        "",
        "",
    )
    ledger.change(None, TicketFacts("t-3").with_snapshot(late))
    assert summary(ledger, Scope(DAY, DAY)).tickets_created == 3
    assert summary(ledger, Scope(DAY - timedelta(days=1), DAY - timedelta(days=1))).tickets_created == 0


def test_duration_buckets_report_within_five_percent() -> None:
    for seconds in (1, 3.7, 59, 240, 1800, 86_400, 7 * 86_400):
        assert bucket_seconds(duration_bucket(seconds)) == pytest.approx(seconds, rel=0.05)


def test_a_later_message_of_an_open_ticket_changes_nothing_that_must_be_written() -> None:
    _ledger, facts = apply(conversation()[:4])
    before = facts["t-1"]
    later = before.with_snapshot(snapshot("t-1", 6, operator="op-1", messages=5))
    assert later != before
    assert later.durable() == before.durable(), "an open ticket is not rewritten for each message"
    closed = later.with_snapshot(snapshot("t-1", 30, closed=30, operator="op-1", messages=6))
    assert closed.durable() != later.durable()
    assert closed.message_count == 6
    # An older snapshot that comes late cannot undo the close.
    assert closed.with_snapshot(snapshot("t-1", 6, operator="op-1", messages=5)).durable() == closed.durable()
