"""HTTP RED metrics of the gateway: t1_http_requests_total{route,method,code} and
t1_http_request_seconds{route,method}, labelled by the route template (`/api/v1/tickets/{ticket_id}`),
never the raw path. WebSockets are counted by t1_ws_connections instead (api/routes/ws.py)."""

from __future__ import annotations

import time
from collections.abc import Iterable

from fastapi.routing import iter_route_contexts
from starlette.routing import BaseRoute
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from t1lib.telemetry import HTTP_REQUESTS, HTTP_SECONDS

# What a request that matched no route is labelled: the console's files (and its client-side routes),
# or a path under /api that does not exist (or a method it does not allow).
CONSOLE = "console"
UNMATCHED = "unmatched"
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
OTHER_METHOD = "other"  # any other method a client made up: one label, not one each


def route_templates(routes: Iterable[BaseRoute]) -> dict[int, str]:
    """The id of each route (as the router puts it in the scope; routes live as long as the app) with
    its full template, prefixes included (FastAPI keeps an included router's routes with their own,
    unprefixed path)."""
    templates: dict[int, str] = {}
    for context in iter_route_contexts(list(routes)):
        template = context.path_format
        if template:
            templates.setdefault(id(context.original_route), template)
    return templates


def route_label(scope: Scope, templates: dict[int, str]) -> str | None:
    """The template of the route that handled the request; None when the table lacks it."""
    route = scope.get("route")
    if route is None:
        path = str(scope.get("path", ""))
        return UNMATCHED if path == "/api" or path.startswith("/api/") else CONSOLE
    return templates.get(id(route))


class HttpMetrics:
    """ASGI middleware (add it last, so it is the outermost one and times everything)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self._templates: dict[int, str] = {}

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # unless a response starts: an exception escaping the app becomes a 500

        async def send_and_note(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_and_note)
        finally:
            method = scope["method"] if scope["method"] in METHODS else OTHER_METHOD
            route = self._route(scope)
            HTTP_REQUESTS.labels(route, method, str(status)).inc()
            HTTP_SECONDS.labels(route, method).observe(time.perf_counter() - started)

    def _route(self, scope: Scope) -> str:
        label = route_label(scope, self._templates)
        if label is None:  # the first request, or a route added since: read the app's routes again
            self._templates = route_templates(scope["app"].routes)
            label = route_label(scope, self._templates)
            if label is None:  # not one FastAPI lists: its own path, remembered
                label = str(getattr(scope["route"], "path", "") or UNMATCHED)
                self._templates[id(scope["route"])] = label
        return label
