"""The conditions of conditional writes, checked in Python.

On FerretDB only a filter that is exactly {"_id": value} reaches SQLite (docs/decisions.md); a condition
next to the _id makes the store read the whole collection. There the repository reads the document by
_id and checks the condition here, under its per-document lock (a single writer), then writes by _id
alone. On MongoDB the same condition goes into the filter and the store checks it atomically.

Supports what the repository's callers use: equality (None also matches a missing field), $ne, $in,
$lte and $or."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

MISSING = object()


def matches(doc: Mapping[str, Any], condition: Mapping[str, Any] | None) -> bool:
    if not condition:
        return True
    for name, expected in condition.items():
        if name == "$or":
            if not any(matches(doc, branch) for branch in expected):
                return False
        elif not _field_matches(_lookup(doc, name), expected):
            return False
    return True


def _lookup(doc: Mapping[str, Any], path: str) -> Any:
    value: Any = doc
    for part in path.split("."):
        if isinstance(value, Mapping) and part in value:
            value = value[part]
        elif isinstance(value, list) and part.isdigit() and int(part) < len(value):
            value = value[int(part)]
        else:
            return MISSING
    return value


def _field_matches(value: Any, expected: Any) -> bool:
    if isinstance(expected, Mapping) and expected and all(str(key).startswith("$") for key in expected):
        return all(_operator_matches(value, operator, operand) for operator, operand in expected.items())
    return _equals(value, expected)


def _equals(value: Any, expected: Any) -> bool:
    if expected is None:
        return value is MISSING or value is None
    return value is not MISSING and value == expected


def _operator_matches(value: Any, operator: str, operand: Any) -> bool:
    if operator == "$ne":
        return not _equals(value, operand)
    if operator == "$in":
        return any(_equals(value, candidate) for candidate in operand)
    if operator == "$lte":
        if value is MISSING or value is None:
            return False
        return bool(value <= operand)
    raise ValueError(f"unsupported condition operator {operator}")
