"""OpenTelemetry tracing (ids propagate through Kafka headers and gRPC) and Prometheus metrics."""

from __future__ import annotations

import functools
import gc
import time
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
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
    "Records of a topic not yet handled by a consumer group (high watermark minus the stored offset)",
    ["topic", "group"],
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
    """Install a tracer provider (so every log line and event carries a trace id) and start the ops
    server: /metrics, /livez and /readyz on metrics_host:metrics_port (t1lib.health; port 0: none)."""
    global _configured
    if _configured:
        return
    _configured = True
    trace.set_tracer_provider(TracerProvider(resource=Resource.create({"service.name": service_name})))
    gc.callbacks.append(_time_gc)
    if metrics_port:
        OpsServer(metrics_host, metrics_port).start()


@functools.lru_cache(maxsize=256)
def tracer(name: str) -> trace.Tracer:
    """The named tracer, made once (a proxy until the provider is set, then the provider's)."""
    return trace.get_tracer(name)
