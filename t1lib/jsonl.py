"""Reading JSON-lines files of labelled examples for the command-line evaluations: one object a line,
blank lines skipped; a line that does not parse or lacks a field stops the tool naming the file and line."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")


def read_jsonl(path: str | Path, parse: Callable[[dict[str, Any]], T]) -> list[T]:
    items: list[T] = []
    with open(path, encoding="utf-8") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                items.append(parse(json.loads(line)))
            except (ValueError, KeyError, TypeError) as error:
                raise SystemExit(f"{path}: line {number}: {error}") from error
    return items
