"""Reading requests the way the Bot API does and writing its JSON envelopes."""

from __future__ import annotations

import json
import logging
from typing import Any

from starlette.datastructures import UploadFile
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import Receive, Scope, Send

from fakes.telegram.api import Params
from fakes.telegram.state import ApiError, Upload, bad_request

MAX_PART_BYTES = 1024 * 1024


async def read_params(request: Request) -> Params:
    """Parameters from the query string plus a JSON, form-urlencoded or multipart/form-data body."""
    values: dict[str, Any] = dict(request.query_params)
    uploads: dict[str, Upload] = {}
    content_type = request.headers.get("content-type", "").split(";", 1)[0].strip().lower()
    if request.method != "POST":
        return Params(values, uploads)
    if content_type == "application/json":
        body = await request.body()
        if body.strip():
            try:
                parsed = json.loads(body)
            except ValueError:
                raise bad_request("can't parse JSON object") from None
            if not isinstance(parsed, dict):
                raise bad_request("request body must be a JSON object")
            values.update(parsed)
    elif content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        try:
            form = await request.form(max_files=100, max_fields=1000, max_part_size=MAX_PART_BYTES)
        except Exception as error:  # malformed multipart bodies raise several starlette/multipart errors
            raise bad_request(f"can't parse request body: {error}") from None
        try:
            for key, value in form.multi_items():
                if isinstance(value, UploadFile):
                    uploads[key] = Upload(value.filename, value.content_type, await value.read())
                else:
                    values[key] = value
        finally:
            await form.close()
    return Params(values, uploads)


def ok(result: Any, description: str | None = None) -> JSONResponse:
    body: dict[str, Any] = {"ok": True, "result": result}
    if description:
        body["description"] = description
    return JSONResponse(body)


def error(problem: ApiError) -> JSONResponse:
    return JSONResponse(problem.body(), status_code=problem.status)


class ConnectionDroppedError(Exception):
    """Raised after the response started, so the server closes the connection mid-answer."""


class DropConnection(Response):
    """Starts an answer, then breaks the connection: the client sees the peer close without a full reply."""

    def __init__(self) -> None:
        super().__init__(status_code=200)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json"), (b"content-length", b"64")],
            }
        )
        raise ConnectionDroppedError("connection dropped on purpose by an injected fault")


class QuietDrops(logging.Filter):
    """Keep uvicorn from logging a traceback for every connection the fake drops on purpose."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not _dropped(record.exc_info[1] if record.exc_info else None)


def _dropped(exc: BaseException | None) -> bool:
    while exc is not None:
        if isinstance(exc, ConnectionDroppedError):
            return True
        if isinstance(exc, BaseExceptionGroup) and any(_dropped(inner) for inner in exc.exceptions):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def install_quiet_drops() -> None:
    logger = logging.getLogger("uvicorn.error")
    if not any(isinstance(existing, QuietDrops) for existing in logger.filters):
        logger.addFilter(QuietDrops())
