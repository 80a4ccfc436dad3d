"""OpenTelemetry tracing: spans exported over OTLP to the trace backend (`make up` runs Jaeger), context
carried in Kafka headers (t1lib.kafka) and gRPC metadata (t1lib.grpc) as W3C `traceparent`.

With no endpoint configured, tracing is off: spans are not recorded, the libraries are not instrumented,
and trace ids still pass from service to service so that log lines of one message share one."""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from opentelemetry import context as otel_context
from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.sdk.trace.sampling import ALWAYS_OFF, ParentBased, Sampler, TraceIdRatioBased

from t1lib.config import TracingSettings

logger = logging.getLogger(__name__)

# Bounds of what waits in memory for the exporter: a trace backend that is down costs at most this much.
MAX_QUEUED_SPANS = 8192
EXPORT_BATCH = 512


_state: dict[str, Any] = {"enabled": False, "provider": None}


def enabled() -> bool:
    """Spans are recorded and exported (so per-record spans are worth their cost)."""
    return bool(_state["enabled"])


def sampler_for(settings: TracingSettings) -> Sampler:
    if not settings.tracing_endpoint:
        return ALWAYS_OFF
    return ParentBased(TraceIdRatioBased(settings.tracing_sample_ratio))


def configure_tracing(service_name: str, settings: TracingSettings) -> None:
    """Install the tracer provider (once per process) and, when an endpoint is set, the exporter and the
    instrumentation of FastAPI, pymongo, redis and httpx."""
    if _state["provider"] is not None:
        return
    provider = TracerProvider(
        resource=Resource.create({"service.name": service_name, "service.namespace": "t1"}),
        sampler=sampler_for(settings),
    )
    _state["provider"] = provider
    trace.set_tracer_provider(provider)
    if not settings.tracing_endpoint:
        return
    from opentelemetry.exporter.otlp.proto.grpc.trace_exporter import OTLPSpanExporter

    exporter = OTLPSpanExporter(endpoint=settings.tracing_endpoint, insecure=_insecure(settings))
    provider.add_span_processor(
        BatchSpanProcessor(exporter, max_queue_size=MAX_QUEUED_SPANS, max_export_batch_size=EXPORT_BATCH)
    )
    _state["enabled"] = True
    _instrument_libraries()
    logger.info("tracing to %s (sample ratio %s)", settings.tracing_endpoint, settings.tracing_sample_ratio)


def _insecure(settings: TracingSettings) -> bool:
    return not settings.tracing_endpoint.startswith("https://")


def _instrument_libraries() -> None:
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.instrumentation.pymongo import PymongoInstrumentor
    from opentelemetry.instrumentation.redis import RedisInstrumentor

    PymongoInstrumentor().instrument()
    RedisInstrumentor().instrument()
    HTTPXClientInstrumentor().instrument()


def instrument_fastapi(app: Any, excluded_urls: str = "livez,readyz,healthz,metrics") -> None:
    """Server spans for the app's routes, but those whose URL matches one of the comma-separated regular
    expressions `excluded_urls` (by default the health and metrics probes)."""
    if not enabled():
        return
    from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor

    FastAPIInstrumentor.instrument_app(app, excluded_urls=excluded_urls)


def grpc_server_interceptors() -> list[Any]:
    if not enabled():
        return []
    from opentelemetry.instrumentation.grpc import aio_server_interceptor

    return [aio_server_interceptor()]  # type: ignore[no-untyped-call]


def grpc_client_interceptors() -> list[Any]:
    if not enabled():
        return []
    from opentelemetry.instrumentation.grpc import aio_client_interceptors

    return list(aio_client_interceptors())  # type: ignore[no-untyped-call]


@contextmanager
def within(context: otel_context.Context | None) -> Iterator[None]:
    """Run the block in `context` (the trace of the record that caused the work), if there is one."""
    if context is None:
        yield
        return
    token = otel_context.attach(context)
    try:
        yield
    finally:
        otel_context.detach(token)


def recorded_trace_id(context: otel_context.Context | None = None) -> str:
    """The trace id (32 hex digits) of `context` (default: the current one) when its spans are recorded,
    so that the trace backend has it; "" otherwise."""
    span_context = trace.get_current_span(context).get_span_context()
    if not (span_context.is_valid and span_context.trace_flags.sampled and enabled()):
        return ""
    return format(span_context.trace_id, "032x")


def links_to(
    contexts: Sequence[otel_context.Context | None], parent: otel_context.Context | None = None
) -> list[trace.Link]:
    """Links to the spans of `contexts`, each once, and none to the parent's (Jaeger would turn the
    parent-child reference into a mere link)."""
    seen = {trace.get_current_span(parent).get_span_context().span_id} if parent is not None else set()
    links = []
    for context in contexts:
        if context is None:
            continue
        span_context = trace.get_current_span(context).get_span_context()
        if span_context.is_valid and span_context.span_id not in seen:
            seen.add(span_context.span_id)
            links.append(trace.Link(span_context))
    return links


def shutdown_tracing() -> None:
    """Export what is left (the SDK also does it at exit)."""
    provider = _state["provider"]
    if isinstance(provider, TracerProvider):
        provider.shutdown()
