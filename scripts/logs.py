"""`make logs`: follow the services' logs (.data/logs/<service>.log, JSON lines) as one stream, optionally
only the lines of one ticket or one trace, of some services, or from a level up.

    python -m scripts.logs [--ticket ID] [--trace ID] [--service NAME ...] [--level WARNING] [--no-follow]

Lines that are not JSON (a crash's traceback, uvicorn's start banner) are shown as they are unless a
filter by ticket or trace is given."""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from infra.engines.base import DATA_DIR

LOGS = DATA_DIR / "logs"
LEVELS = {"DEBUG": 10, "INFO": 20, "WARNING": 30, "ERROR": 40, "CRITICAL": 50}
POLL_S = 0.3


@dataclass(frozen=True)
class Filter:
    ticket: str | None = None
    trace: str | None = None
    services: frozenset[str] = frozenset()
    min_level: int = 0

    def keeps(self, service: str, entry: dict[str, Any] | None) -> bool:
        if self.services and service not in self.services:
            return False
        if entry is None:
            return not (self.ticket or self.trace) and not self.min_level
        if self.ticket and entry.get("ticket_id") != self.ticket:
            return False
        if self.trace and entry.get("trace_id") != self.trace:
            return False
        return LEVELS.get(str(entry.get("level", "")).upper(), 0) >= self.min_level


def parse(line: str) -> dict[str, Any] | None:
    try:
        entry = json.loads(line)
    except ValueError:
        return None
    return entry if isinstance(entry, dict) else None


def render(service: str, line: str, entry: dict[str, Any] | None) -> str:
    if entry is None:
        return f"{service:<14} {line}"
    ids = " ".join(
        f"{name}={entry[key]}"
        for key, name in (("ticket_id", "ticket"), ("trace_id", "trace"))
        if entry.get(key)
    )
    when = str(entry.get("ts", ""))[11:23]
    level = str(entry.get("level", ""))[:5]
    message = entry.get("message", entry.get("msg", ""))
    return f"{when} {service:<14} {level:<5} {message}" + (f"  [{ids}]" if ids else "")


class Follower:
    """New lines of one log file, from `start` on; survives the file being rotated or recreated."""

    def __init__(self, path: Path, from_start: bool) -> None:
        self.path = path
        self.service = path.stem
        self._file: TextIO | None = None
        self._inode = 0
        self._open(from_start)

    def _open(self, from_start: bool) -> None:
        try:
            self._file = self.path.open(encoding="utf-8", errors="replace")
        except OSError:
            self._file = None
            return
        self._inode = self.path.stat().st_ino
        if not from_start:
            self._file.seek(0, 2)

    def lines(self) -> Iterator[str]:
        if self._file is None:
            self._open(True)
            if self._file is None:
                return
        while line := self._file.readline():
            yield line.rstrip("\n")
        try:
            if self.path.stat().st_ino != self._inode:  # recreated by a new `make up`
                self._file.close()
                self._open(True)
        except OSError:
            pass


def main(argv: list[str] | None = None, out: TextIO = sys.stdout) -> int:
    parser = argparse.ArgumentParser(prog="make logs", description=__doc__)
    parser.add_argument("--ticket", help="only lines written while handling this ticket")
    parser.add_argument("--trace", help="only lines of this trace id (the console shows it to admins)")
    parser.add_argument("--service", action="append", default=[], help="only this service (repeatable)")
    parser.add_argument("--level", default="", help="from this level up: DEBUG, INFO, WARNING, ERROR")
    parser.add_argument("--no-follow", action="store_true", help="print what is there and stop")
    parser.add_argument("--dir", type=Path, default=LOGS, help=f"the logs' directory (default {LOGS})")
    args = parser.parse_args(argv)
    level = args.level.upper()
    if level and level not in LEVELS:
        parser.error(f"unknown level {args.level!r}; one of {', '.join(LEVELS)}")
    keep = Filter(args.ticket, args.trace, frozenset(args.service), LEVELS.get(level, 0))
    paths = sorted(args.dir.glob("*.log"))
    if not paths:
        print(f"no logs in {args.dir}: start the services with `make up`", file=sys.stderr)
        return 1
    # Filtered: the whole history (the ticket's lines may be old); unfiltered: the last part only.
    followers = [
        Follower(path, from_start=bool(args.ticket or args.trace) or args.no_follow) for path in paths
    ]
    try:
        while True:
            for follower in followers:
                for line in follower.lines():
                    entry = parse(line)
                    if keep.keeps(follower.service, entry):
                        print(render(follower.service, line, entry), file=out, flush=True)
            if args.no_follow:
                return 0
            time.sleep(POLL_S)
    except KeyboardInterrupt:
        return 0


if __name__ == "__main__":
    sys.exit(main())
