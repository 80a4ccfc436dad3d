"""Prometheus metrics, and the tracer accessor (the provider is set up by t1lib.tracing)."""

from __future__ import annotations

import functools
import gc
import time
from typing import Any

from opentelemetry import trace
from prometheus_client import Counter, Gauge, Histogram

from t1lib.health import OpsServer

KAFKA_EVENTS = Counter(
    "t1_kafka_events_total", "Kafka events handled, by outcome", ["topic", "group", "outcome"]
)
KAFKA_HANDLER_SECONDS = Histogram(
    "t1_kafka_handler_seconds", "Time spent in Kafka event handlers", ["topic", "group"]
)
KAFKA_CONSUMER_LAG = Gauge(
    "t1_kafka_consumer_lag",
    "Records of a partition not yet handled by a consumer group (high watermark minus the stored offset)",
    ["topic", "group", "partition"],
)
KAFKA_DEAD_LETTERS = Counter(
    "t1_kafka_dead_letters_total",
    "Records a consumer group sent to <topic>.dlq, by source topic",
    ["topic", "group"],
)
KAFKA_PRODUCED = Counter(
    "t1_kafka_produced_total", "Records produced and acknowledged by the broker", ["topic"]
)
HTTP_REQUESTS = Counter(
    "t1_http_requests_total",
    "HTTP requests served, by route template (never the raw path), method and status code",
    ["route", "method", "code"],
)
HTTP_SECONDS = Histogram(
    "t1_http_request_seconds",
    "HTTP request latency, by route template and method",
    ["route", "method"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
)
WS_CONNECTIONS = Gauge("t1_ws_connections", "Open operator WebSocket connections")
TICKETS_OPEN = Gauge("t1_tickets_open", "Tickets not closed, by status (open, assigned)", ["status"])
OLDEST_WAITING_CUSTOMER_SECONDS = Gauge(
    "t1_oldest_waiting_customer_seconds",
    "How long the customer waiting longest for an answer has waited (0 when nobody waits)",
)
OPERATOR_OPEN_TICKETS = Gauge(
    "t1_operator_open_tickets", "Tickets assigned to an operator and not closed", ["operator"]
)
GRPC_REQUESTS = Counter("t1_grpc_requests_total", "gRPC requests served, by status code", ["method", "code"])
GRPC_SECONDS = Histogram("t1_grpc_request_seconds", "gRPC request latency", ["method"])

GC_PAUSE_SECONDS = Histogram(
    "t1_gc_pause_seconds",
    "Pauses of Python's cyclic garbage collector (every thread of the process waits), by generation",
    ["generation"],
    buckets=(0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0),
)

_configured = False
_gc_started: list[float] = []


def _time_gc(phase: str, info: dict[str, Any]) -> None:
    if phase == "start":
        _gc_started[:] = [time.perf_counter()]
    elif _gc_started:
        GC_PAUSE_SECONDS.labels(str(info.get("generation", ""))).observe(time.perf_counter() - _gc_started[0])


def configure_telemetry(service_name: str, metrics_port: int = 0, metrics_host: str = "127.0.0.1") -> None:
    """Time the garbage collector and start the ops server: /metrics, /livez and /readyz on
    metrics_host:metrics_port (t1lib.health; port 0: none). Tracing: t1lib.tracing."""
    global _configured
    if _configured:
        return
    _configured = True
    gc.callbacks.append(_time_gc)
    if metrics_port:
        OpsServer(metrics_host, metrics_port).start()


@functools.lru_cache(maxsize=256)
def tracer(name: str) -> trace.Tracer:
    """The named tracer, made once (a proxy until the provider is set, then the provider's)."""
    return trace.get_tracer(name)
