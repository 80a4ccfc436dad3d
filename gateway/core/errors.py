"""The one place where errors become HTTP responses: gRPC status codes and request validation, and the
error responses the API documents."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import grpc
from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError

HTTP_STATUS_OF_GRPC: dict[grpc.StatusCode, int] = {
    grpc.StatusCode.INVALID_ARGUMENT: 400,
    grpc.StatusCode.OUT_OF_RANGE: 400,
    grpc.StatusCode.UNAUTHENTICATED: 401,
    grpc.StatusCode.PERMISSION_DENIED: 403,
    grpc.StatusCode.NOT_FOUND: 404,
    grpc.StatusCode.ALREADY_EXISTS: 409,
    grpc.StatusCode.FAILED_PRECONDITION: 409,
    grpc.StatusCode.ABORTED: 409,
    grpc.StatusCode.RESOURCE_EXHAUSTED: 429,
    grpc.StatusCode.UNIMPLEMENTED: 501,
    grpc.StatusCode.UNAVAILABLE: 503,
    grpc.StatusCode.DEADLINE_EXCEEDED: 504,
}


class ErrorPublic(BaseModel):
    """Every error but a validation error (422, FastAPI's own shape: a list of what is wrong where)."""

    detail: str = Field(description="what went wrong, in words")


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorPublic, "description": description}


# What any route of the API may answer besides its own result and 422; declared once, on the /api/v1
# router. A route with a path id answers 404 for an unknown one; a gRPC status comes back as its HTTP one.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _error("Bad request: a value a service refused (a page cursor no page ended with, …)"),
    401: _error("No access token, or one that is invalid, expired or no longer stands"),
    403: _error("Not allowed: admins only, or a ticket or figures of another operator"),
    404: _error("No such ticket, message, operator or knowledge-base entry"),
    409: _error("The state forbids it: the ticket is closed or someone else took it, the name is taken"),
    413: _error("The request body is larger than the route accepts"),
    415: _error("The request body's media type is not one the route accepts"),
    429: _error("Too many attempts (failed logins): Retry-After says in how many seconds to try again"),
    502: _error("A service behind the gateway failed"),
    503: _error("A service behind the gateway is unavailable; try again later"),
    504: _error("A service behind the gateway did not answer in time"),
}


def http_status_for(code: grpc.StatusCode) -> int:
    return HTTP_STATUS_OF_GRPC.get(code, 502)


async def grpc_error_handler(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, grpc.aio.AioRpcError)
    status = http_status_for(error.code())
    detail = error.details() if status < 500 else f"upstream service error: {error.code().name.lower()}"
    return JSONResponse(status_code=status, content={"detail": detail})


def public_error(error: Mapping[str, Any]) -> dict[str, Any]:
    """What a client is told of one validation error: where and what, never the input itself (it may be
    a password or a token, or bytes that are not text)."""
    shown: dict[str, Any] = {
        "type": error["type"],
        "loc": [part if isinstance(part, int) else str(part) for part in error["loc"]],
        "msg": error["msg"],
    }
    if context := error.get("ctx"):
        shown["ctx"] = {
            str(key): value if isinstance(value, bool | int | float | str) else str(value)
            for key, value in context.items()
        }
    return shown


def body_validation_error(error: ValidationError) -> RequestValidationError:
    """A body validated by hand (`Model.model_validate_json`) reported as FastAPI reports its own."""
    return RequestValidationError(
        [{**item, "loc": ("body", *item["loc"])} for item in error.errors(include_url=False)]
    )


async def validation_error_handler(_request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    return JSONResponse(status_code=422, content={"detail": [public_error(item) for item in error.errors()]})
