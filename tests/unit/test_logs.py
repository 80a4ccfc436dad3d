import json
import logging

from opentelemetry.sdk.trace import TracerProvider

from t1lib.logs import JsonFormatter, ticket_context


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
