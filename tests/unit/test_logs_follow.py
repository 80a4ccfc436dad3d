"""`make logs` (scripts/logs.py): the services' JSON lines as one stream, filtered by ticket or trace."""

from __future__ import annotations

import io
import json
from pathlib import Path

from scripts.logs import main

TRACE = "4bf92f3577b34da6a3ce929d0e0e4736"


def line(msg: str, **fields: str) -> str:
    return json.dumps({"ts": "2026-12-07T10:00:00.123+00:00", "level": "info", "msg": msg, **fields})


def write_logs(directory: Path) -> None:
    (directory / "bot.log").write_text(
        "\n".join([line("принято", trace_id=TRACE), line("другое", trace_id="0" * 32), "Traceback (x)"])
        + "\n"
    )
    (directory / "message_saver.log").write_text(
        "\n".join(
            [
                line("сохранено", trace_id=TRACE, ticket_id="t-1"),
                json.dumps(
                    {"ts": "2026-12-07T10:00:01+00:00", "level": "error", "msg": "сбой", "ticket_id": "t-2"}
                ),
            ]
        )
        + "\n"
    )


def run(directory: Path, *args: str) -> list[str]:
    out = io.StringIO()
    assert main(["--dir", str(directory), "--no-follow", *args], out=out) == 0
    return out.getvalue().splitlines()


def test_a_trace_is_followed_across_services(tmp_path: Path) -> None:
    write_logs(tmp_path)
    shown = run(tmp_path, "--trace", TRACE)
    assert [entry.split()[1] for entry in shown] == ["bot", "message_saver"]
    assert "принято" in shown[0]
    assert "сохранено" in shown[1]
    assert f"trace={TRACE}" in shown[1]


def test_filters_by_ticket_service_and_level(tmp_path: Path) -> None:
    write_logs(tmp_path)
    assert len(run(tmp_path, "--ticket", "t-1")) == 1
    assert ["сбой" in entry for entry in run(tmp_path, "--level", "error")] == [True]
    unfiltered = run(tmp_path, "--service", "bot")
    assert len(unfiltered) == 3
    assert unfiltered[-1].endswith("Traceback (x)")


def test_no_logs_is_said(tmp_path: Path) -> None:
    assert main(["--dir", str(tmp_path), "--no-follow"]) == 1
