"""Structured JSON logging. Records carry the service name and, when set, the ticket and trace ids.

No secret reaches a log: every record passes `RedactSecrets` on its way to the handler, which blanks access
and refresh tokens, passwords and other secrets wherever they show (URL query strings, `key=value` and
`"key": "value"` pairs, Authorization headers, JWTs, WebSocket bearer subprotocols, Telegram Bot API URLs),
whichever library wrote the record (uvicorn's access and handshake lines, websockets, httpx, aiohttp)."""

from __future__ import annotations

import contextvars
import json
import logging
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any, TextIO

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


REDACTED = "[REDACTED]"
_NOT_DONE = rf"(?!{re.escape(REDACTED)})"
# A key that names a secret, alone or as a suffix: token, access_token, refreshToken, password, api_key…
_SECRET_KEY = r"[\w.-]*?(?:token|password|passwd|secret|api[_-]?key|cookie)"  # noqa: S105 - a pattern
_SEPARATOR = r"""\\?["']?\s*[=:]\s*\\?["']?"""
_SECRETS: tuple[tuple[re.Pattern[str], str], ...] = (
    # Telegram: https://api.telegram.org/bot<id>:<secret>/getUpdates and /file/bot<id>:<secret>/...
    (re.compile(r"(/bot\d+:)[\w-]+"), rf"\g<1>{REDACTED}"),
    # An Authorization header with its scheme: `Authorization: Bearer …`, `'authorization': 'Basic …'`
    (re.compile(rf"(?i)(authorization{_SEPARATOR}){_NOT_DONE}(?:\w+ +)?[^\s\"',;]+"), rf"\g<1>{REDACTED}"),
    # `Bearer <token>` and `bearer.<token>` (the WebSocket subprotocol that carries the access token)
    (re.compile(rf"(?i)\b(bearer[ .]+){_NOT_DONE}[\w~+/.=-]+"), rf"\g<1>{REDACTED}"),
    # ?token=…&password=…, token=…, "password": "…" (a quoted value whole), 'refresh_token': '…'
    (
        re.compile(
            rf"""(?i)({_SECRET_KEY}\\?["']?\s*[=:]\s*)(\\?["'])?{_NOT_DONE}(?(2)(?:(?!\2).)*|[^\s"'&,;}}\\]+)"""
        ),
        rf"\g<1>\g<2>{REDACTED}",
    ),
    # Any JWT (an access token) wherever it stands
    (re.compile(r"\beyJ[\w-]*\.[\w-]+\.[\w-]*"), REDACTED),
    # A bare Telegram bot token (<bot id>:<35 characters>)
    (re.compile(r"\b\d{5,}:[\w-]{30,}"), REDACTED),
)


def redact(text: str) -> str:
    """`text` with every secret it shows replaced by [REDACTED]."""
    for pattern, replacement in _SECRETS:
        text = pattern.sub(replacement, text)
    return text


_SECRET_NAME = re.compile(rf"(?i)(?:{_SECRET_KEY}|authorization)")


def _redacted(value: Any) -> Any:
    """A structured field with its secrets blanked: whole values under a secret's name, else by pattern."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        secret = _SECRET_NAME.fullmatch
        return {key: REDACTED if secret(str(key)) else _redacted(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    return value


class RedactSecrets(logging.Filter):
    """Blanks secrets in a record before any formatter sees it: the message (formatted with its
    arguments), the traceback, the stack and the structured fields."""

    _exceptions = logging.Formatter()

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = redact(message)
        if clean != message or record.args:
            record.msg, record.args = clean, None
        if record.exc_info and not record.exc_text:
            record.exc_text = self._exceptions.formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
        fields = getattr(record, "fields", None)
        if isinstance(fields, dict):
            record.fields = _redacted(fields)
        return True


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
        if record.exc_text:  # formatted (and redacted) by RedactSecrets
            entry["exc"] = record.exc_text
        elif record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False, default=str)


def configure_logging(
    service_name: str, level: str = "INFO", *, json_output: bool = True, stream: TextIO | None = None
) -> None:
    """Route the root logger to `stream` (stderr), as JSON lines unless json_output is False, with
    secrets redacted from every record."""
    global _service_name
    _service_name = service_name
    handler = logging.StreamHandler(stream or sys.stderr)
    handler.addFilter(RedactSecrets())
    if json_output:
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level.upper())
    # httpx logs every request URL at INFO: noise (the secrets in them, Telegram's bot token, are redacted).
    logging.getLogger("httpx").setLevel(max(logging.WARNING, root.level))
