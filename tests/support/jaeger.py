"""Reading traces back from the trace backend's HTTP query API (Jaeger's /api/traces)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import httpx


@dataclass(frozen=True)
class Span:
    span_id: str
    parent_id: str | None
    service: str
    name: str
    kind: str


@dataclass(frozen=True)
class Trace:
    trace_id: str
    spans: tuple[Span, ...]

    @classmethod
    def from_api(cls, data: dict[str, Any]) -> Trace:
        services = {key: process["serviceName"] for key, process in data["processes"].items()}
        spans = []
        for span in data["spans"]:
            parents = [ref["spanID"] for ref in span.get("references", []) if ref["refType"] == "CHILD_OF"]
            tags = {tag["key"]: tag["value"] for tag in span.get("tags", [])}
            spans.append(
                Span(
                    span_id=span["spanID"],
                    parent_id=parents[0] if parents else None,
                    service=services[span["processID"]],
                    name=span["operationName"],
                    kind=str(tags.get("span.kind", "")),
                )
            )
        return cls(data["traceID"], tuple(spans))

    @property
    def services(self) -> set[str]:
        return {span.service for span in self.spans}

    @property
    def roots(self) -> list[Span]:
        return [span for span in self.spans if span.parent_id is None]

    @property
    def orphans(self) -> list[Span]:
        """Spans whose parent is not in the trace (a broken propagation leaves them)."""
        ids = {span.span_id for span in self.spans}
        return [span for span in self.spans if span.parent_id is not None and span.parent_id not in ids]

    def find(self, service: str, name: str) -> Span:
        found = [span for span in self.spans if span.service == service and span.name == name]
        if not found:
            raise AssertionError(f"no span {name!r} of {service} in {self.describe()}")
        return found[0]

    def ancestry(self, span: Span) -> list[tuple[str, str]]:
        """(service, name) of the span and each of its ancestors, innermost first."""
        by_id = {item.span_id: item for item in self.spans}
        chain: list[tuple[str, str]] = []
        current: Span | None = span
        while current is not None:
            chain.append((current.service, current.name))
            current = by_id.get(current.parent_id or "")
        return chain

    def describe(self, spans: Iterable[Span] | None = None) -> str:
        return "; ".join(f"{span.service}:{span.name}" for span in (self.spans if spans is None else spans))


async def get_trace(client: httpx.AsyncClient, trace_id: str) -> Trace | None:
    response = await client.get(f"/api/traces/{trace_id}")
    if response.status_code == 404:
        return None
    response.raise_for_status()
    data = response.json().get("data") or []
    return Trace.from_api(data[0]) if data else None
