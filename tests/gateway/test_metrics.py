"""The gateway's HTTP RED metrics on the real app (uvicorn, MongoDB, Redis): t1_http_requests_total and
t1_http_request_seconds are labelled by the route template, never by the raw path."""

from __future__ import annotations

import uuid

import httpx
import pytest
from prometheus_client import REGISTRY as METRICS

from tests.gateway.conftest import ADMIN_PASSWORD, bearer, login

pytestmark = pytest.mark.integration

TEMPLATE = "/api/v1/templates/{template_id}"


def requests(route: str, method: str, code: int) -> float:
    labels = {"route": route, "method": method, "code": str(code)}
    return METRICS.get_sample_value("t1_http_requests_total", labels) or 0.0


def with_method(method: str) -> float:
    """Requests of `method` on any route (a made-up method lands on /healthz, or on the console's files
    when the console is built: its mount answers every method)."""
    return sum(
        sample.value
        for metric in METRICS.collect()
        if metric.name == "t1_http_requests"
        for sample in metric.samples
        if sample.name == "t1_http_requests_total" and sample.labels.get("method") == method
    )


def timed(route: str, method: str) -> float:
    labels = {"route": route, "method": method}
    return METRICS.get_sample_value("t1_http_request_seconds_count", labels) or 0.0


def routes_seen() -> set[str]:
    return {
        sample.labels["route"]
        for family in METRICS.collect()
        if family.name == "t1_http_requests"
        for sample in family.samples
    }


async def test_requests_are_counted_and_timed_by_route_template(
    gateway: httpx.AsyncClient, admin_name: str
) -> None:
    before = {
        "login": requests("/api/v1/auth/login", "POST", 200),
        "missing": requests(TEMPLATE, "PUT", 404),
        "timed": timed(TEMPLATE, "PUT"),
        "unmatched": requests("unmatched", "GET", 404),
        "health": requests("/healthz", "GET", 200),
        "other": with_method("other"),
    }
    headers = bearer(await login(gateway, admin_name, ADMIN_PASSWORD))
    template_id = uuid.uuid4().hex
    body = {"title": "Приветствие", "text": "Здравствуйте!", "category": ""}
    for _ in range(2):
        response = await gateway.put(f"/api/v1/templates/{template_id}", json=body, headers=headers)
        assert response.status_code == 404, response.text
    assert (await gateway.get(f"/api/v1/no-such-resource/{template_id}")).status_code == 404
    assert (await gateway.get("/healthz")).status_code == 200
    assert (await gateway.request("PROPFIND", "/healthz")).status_code == 405

    assert requests("/api/v1/auth/login", "POST", 200) == before["login"] + 1
    assert requests(TEMPLATE, "PUT", 404) == before["missing"] + 2
    assert timed(TEMPLATE, "PUT") == before["timed"] + 2
    assert requests("unmatched", "GET", 404) == before["unmatched"] + 1
    assert requests("/healthz", "GET", 200) == before["health"] + 1
    assert with_method("other") == before["other"] + 1  # a made-up method: one label
    assert not [route for route in routes_seen() if template_id in route], "a raw path became a label"
