"""The conditions a single writer checks in Python mean what they mean in MongoDB's filter."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from services.message_saver.conditions import matches

MOMENT = datetime(2026, 1, 1, tzinfo=UTC)
TICKET = {
    "_id": "t1",
    "status": "assigned",
    "assignee_id": "op-1",
    "category": "",
    "last_message_at": MOMENT,
    "attachments": [{"id": "a1", "s3_key": "k1"}],
}


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        (None, True),
        ({}, True),
        ({"status": "assigned"}, True),
        ({"status": "open"}, False),
        ({"status": {"$in": ["open", "assigned"]}}, True),
        ({"status": {"$ne": "closed"}}, True),
        ({"status": {"$ne": "assigned"}}, False),
        ({"category": {"$in": ["", None]}}, True),
        ({"subcategory": {"$in": ["", None]}}, True),  # missing counts as None
        ({"subcategory": None}, True),
        ({"assignee_id": None}, False),
        ({"last_message_at": {"$lte": MOMENT}}, True),
        ({"closed_at": {"$lte": MOMENT}}, False),
        ({"$or": [{"status": "open"}, {"status": "assigned", "assignee_id": {"$ne": "op-2"}}]}, True),
        ({"$or": [{"status": "open"}, {"status": "assigned", "assignee_id": {"$ne": "op-1"}}]}, False),
        ({"attachments.0.id": "a1", "attachments.0.s3_key": "k1"}, True),
        ({"attachments.1.id": "a1"}, False),
        ({"status": "assigned", "assignee_id": "op-2"}, False),
    ],
)
def test_conditions(condition: dict[str, object] | None, expected: bool) -> None:
    assert matches(TICKET, condition) is expected


def test_unknown_operator_is_refused() -> None:
    with pytest.raises(ValueError, match=r"\$gt"):
        matches(TICKET, {"status": {"$gt": "a"}})
