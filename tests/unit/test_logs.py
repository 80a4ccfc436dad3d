import io
import json
import logging

import pytest
from opentelemetry.sdk.trace import TracerProvider

from t1lib.logs import JsonFormatter, configure_logging, redact, ticket_context


def record(message: str) -> logging.LogRecord:
    return logging.LogRecord("t1.test", logging.INFO, __file__, 1, message, None, None)


def test_json_line_carries_ticket_and_trace_ids_and_russian_text() -> None:
    formatter = JsonFormatter()
    with ticket_context("ticket-42"), TracerProvider().get_tracer("t").start_as_current_span("s") as span:
        line = formatter.format(record("Клиент ждёт ответа"))
    entry = json.loads(line)
    assert entry["msg"] == "Клиент ждёт ответа"
    assert entry["ticket_id"] == "ticket-42"
    assert entry["trace_id"] == format(span.get_span_context().trace_id, "032x")
    assert "Клиент" in line  # not \u-escaped


def test_no_ids_outside_a_context() -> None:
    entry = json.loads(JsonFormatter().format(record("hello")))
    assert "ticket_id" not in entry
    assert "trace_id" not in entry


JWT = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJvcC0xIn0.c2lnbmF0dXJl-_x"
BOT = "7012345678:AAHfiXq2b8v1Zx0cQm3TnW4yPsLk9RdEu5J"


@pytest.mark.parametrize(
    ("line", "secret"),
    [
        (f'127.0.0.1:5 - "WebSocket /api/v1/ws?token={JWT}" [accepted]', JWT),
        ('"GET /x?page=2&access_token=abc123def&q=1 HTTP/1.1" 200', "abc123def"),
        (f'HTTP Request: POST https://api.telegram.org/bot{BOT}/getUpdates "HTTP/1.1 200 OK"', BOT),
        (f"Set Bot API File URL: http://127.0.0.1:8081/file/bot{BOT}", BOT),
        ("{'username': 'admin', 'password': 'Пароль с пробелом'}", "Пароль с пробелом"),
        ('{"refresh_token": "r-1.secret", "expires_in": 900}', "r-1.secret"),
        (f"> Sec-WebSocket-Protocol: t1.v1, bearer.{JWT}", JWT),
        ("Authorization: Bearer opaque-token-42", "opaque-token-42"),
        ("headers={'authorization': 'Basic dXNlcjpwYXNz'}", "dXNlcjpwYXNz"),
        ("T1_ADMIN_PASSWORD=hunter2 T1_JWT_SECRET=s3cr3t", "hunter2"),
        ("T1_ADMIN_PASSWORD=hunter2 T1_JWT_SECRET=s3cr3t", "s3cr3t"),
        (f"token {JWT} alone", JWT),
    ],
)
def test_secrets_are_redacted(line: str, secret: str) -> None:
    cleaned = redact(line)
    assert secret not in cleaned
    assert "[REDACTED]" in cleaned


@pytest.mark.parametrize(
    "line",
    [
        "ticket 5f1c closed by op-1",
        "the prompt used max_tokens: 512 and prompt_tokens=10",
        "basic information about passwords",
        'GET /api/v1/tickets?status=open&limit=50 HTTP/1.1" 200',
    ],
)
def test_ordinary_lines_are_kept(line: str) -> None:
    assert redact(line) == line


def test_every_record_of_the_configured_logging_is_redacted() -> None:
    output = io.StringIO()
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging("test", "INFO", stream=output)
        logger = logging.getLogger("t1.test.redaction")
        logger.info('%s - "WebSocket %s" [accepted]', "127.0.0.1:5", f"/ws?token={JWT}")
        try:
            raise RuntimeError(f"GET https://api.telegram.org/bot{BOT}/getMe failed")
        except RuntimeError:
            headers = {"Authorization": f"Bearer {JWT}"}
            logger.exception("request failed", extra={"fields": {"headers": headers}})
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    text = output.getvalue()
    assert JWT not in text
    assert BOT not in text
    entries = [json.loads(line) for line in text.splitlines()]
    assert entries[0]["msg"] == '127.0.0.1:5 - "WebSocket /ws?token=[REDACTED]" [accepted]'
    assert "bot7012345678:[REDACTED]/getMe" in entries[1]["exc"]
    assert entries[1]["headers"] == {"Authorization": "[REDACTED]"}
