"""Structured JSON logging. Records carry the service name and, when set, the ticket and trace ids."""

from __future__ import annotations

import contextvars
import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from opentelemetry import trace

_ticket_id: contextvars.ContextVar[str | None] = contextvars.ContextVar("ticket_id", default=None)
_service_name = "t1"


@contextmanager
def ticket_context(ticket_id: str | None) -> Iterator[None]:
    """Attach a ticket id to every log record written inside the block."""
    token = _ticket_id.set(ticket_id)
    try:
        yield
    finally:
        _ticket_id.reset(token)


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "ts": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname.lower(),
            "service": _service_name,
            "logger": record.name,
            "msg": record.getMessage(),
        }
        ticket_id = _ticket_id.get()
        if ticket_id:
            entry["ticket_id"] = ticket_id
        span_context = trace.get_current_span().get_span_context()
        if span_context.is_valid:
            entry["trace_id"] = format(span_context.trace_id, "032x")
            entry["span_id"] = format(span_context.span_id, "016x")
        extra = getattr(record, "fields", None)
        if isinstance(extra, dict):
            entry.update(extra)
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(service_name: str, level: str = "INFO", *, json_output: bool = True) -> None:
    """Route the root logger to stderr, as JSON lines unless json_output is False."""
    global _service_name
    _service_name = service_name
    handler = logging.StreamHandler(sys.stderr)
    if json_output:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL at INFO, and some URLs carry secrets (Telegram's bot token).
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
