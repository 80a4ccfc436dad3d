"""The ASGI app: the Bot API at /bot{token}/{method}, files at /file/bot{token}/{path}, the sandbox under
/sandbox/ and the customer's web page at /."""

from __future__ import annotations

import asyncio
import logging
from pathlib import Path

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response
from starlette.routing import Route

from fakes.telegram import sandbox
from fakes.telegram.api import Answer, find_method
from fakes.telegram.state import ApiError, TelegramState
from fakes.telegram.transport import DropConnection, error, ok, read_params

logger = logging.getLogger(__name__)

INDEX_HTML = Path(__file__).with_name("static") / "index.html"
UNAUTHORIZED = ApiError(401, "Unauthorized")
NOT_FOUND = ApiError(404, "Not Found")


def create_app(state: TelegramState) -> Starlette:
    async def api(request: Request) -> Response:
        if request.path_params["token"] != state.token:
            return error(UNAUTHORIZED)
        found = find_method(request.path_params["method"])
        if found is None:
            return error(NOT_FOUND)
        try:
            params = await read_params(request)
        except ApiError as unreadable:
            state.record_call(found.name, {}, unreadable.status, unreadable.description)
            return error(unreadable)
        summary = params.summary()
        fault = state.take_fault(found.name)
        if fault is not None:
            if fault.kind == "delay":
                await asyncio.sleep(fault.delay_s)
            elif fault.kind == "retry_after":
                limited = ApiError(
                    429,
                    f"Too Many Requests: retry after {fault.retry_after}",
                    {"retry_after": fault.retry_after},
                )
                state.record_call(found.name, summary, 429, limited.description, fault="retry_after")
                return error(limited)
            elif fault.kind == "error":
                failed = ApiError(fault.status, fault.description or _default_description(fault.status))
                state.record_call(found.name, summary, fault.status, failed.description, fault="error")
                return error(failed)
            elif fault.kind == "drop" and fault.when == "before":
                state.record_call(found.name, summary, 0, "connection dropped", fault="drop")
                return DropConnection()
        try:
            answer = await found.handler(state, params)
        except ApiError as problem:
            state.record_call(found.name, summary, problem.status, problem.description)
            return error(problem)
        if fault is not None and fault.kind == "drop":
            state.record_call(found.name, summary, 0, "done, then connection dropped", fault="drop")
            return DropConnection()
        if found.name != "getUpdates" or answer:
            state.record_call(found.name, summary, 200)
        if isinstance(answer, Answer):
            return ok(answer.result, answer.description)
        return ok(answer)

    async def download(request: Request) -> Response:
        if request.path_params["token"] != state.token:
            return error(UNAUTHORIZED)
        stored = state.files_by_path.get(request.path_params["file_path"])
        if stored is None:
            return error(NOT_FOUND)
        return Response(stored.data, media_type=stored.content_type)

    async def index(_request: Request) -> Response:
        return HTMLResponse(INDEX_HTML.read_text(encoding="utf-8"))

    async def health(_request: Request) -> Response:
        return JSONResponse({"ok": True})

    routes = [
        Route("/", index),
        Route("/healthz", health),
        Route("/bot{token}/{method}", api, methods=["GET", "POST"]),
        Route("/file/bot{token}/{file_path:path}", download, methods=["GET"]),
        *sandbox.routes(state),
    ]
    return Starlette(routes=routes, exception_handlers={ApiError: _api_error_handler})


async def _api_error_handler(_request: Request, exc: Exception) -> Response:
    assert isinstance(exc, ApiError)
    return error(exc)


def _default_description(status: int) -> str:
    return {
        400: "Bad Request",
        401: "Unauthorized",
        403: "Forbidden",
        404: "Not Found",
        409: "Conflict",
        429: "Too Many Requests",
        500: "Internal Server Error",
        502: "Bad Gateway",
        503: "Service Unavailable",
        504: "Gateway Timeout",
    }.get(status, f"Error {status}")
