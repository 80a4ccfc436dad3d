"""Service authentication: every call between the components carries the install's shared token
(`T1_SERVICE_TOKEN`) in its metadata, and every server refuses a call without it as UNAUTHENTICATED.

The health service stays open, so probes need no secret; it tells only whether a service is serving.
Reflection is behind the token like the APIs (`grpcurl -H "authorization: Bearer $T1_SERVICE_TOKEN"`).
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Awaitable, Callable
from typing import Any, TypeAlias

import grpc
from pydantic import SecretStr

from t1lib.config import SERVICE_TOKEN_MIN_LENGTH
from t1lib.telemetry import GRPC_REQUESTS

logger = logging.getLogger(__name__)

METADATA_KEY = "authorization"
# Methods any caller may use: grpc.health.v1.Health's Check and Watch.
OPEN_METHOD_PREFIX = "/grpc.health.v1.Health/"

Context: TypeAlias = "grpc.aio.ServicerContext[Any, Any]"
Handler: TypeAlias = "grpc.RpcMethodHandler[Any, Any]"


def bearer(token: SecretStr | str) -> str:
    secret = token.get_secret_value() if isinstance(token, SecretStr) else token
    if len(secret) < SERVICE_TOKEN_MIN_LENGTH:
        raise ValueError(f"the service token must have at least {SERVICE_TOKEN_MIN_LENGTH} characters")
    return f"Bearer {secret}"


async def _refuse(_request: Any, context: Context) -> None:
    await context.abort(grpc.StatusCode.UNAUTHENTICATED, "missing or wrong service token")


def _refusal(handler: Handler) -> Handler:
    """A handler of the same kind as `handler` that refuses the call."""
    serializers: dict[str, Any] = {
        "request_deserializer": handler.request_deserializer,
        "response_serializer": handler.response_serializer,
    }
    if handler.unary_unary is not None:
        return grpc.unary_unary_rpc_method_handler(_refuse, **serializers)
    if handler.unary_stream is not None:
        return grpc.unary_stream_rpc_method_handler(_refuse, **serializers)
    if handler.stream_unary is not None:
        return grpc.stream_unary_rpc_method_handler(_refuse, **serializers)
    return grpc.stream_stream_rpc_method_handler(_refuse, **serializers)


class ServiceTokenInterceptor(grpc.aio.ServerInterceptor):
    """The one check of the service token on every server (constant-time comparison)."""

    def __init__(self, token: SecretStr) -> None:
        self._expected = bearer(token).encode()

    def _carries_token(self, details: grpc.HandlerCallDetails) -> bool:
        for key, value in details.invocation_metadata or ():
            if key == METADATA_KEY:
                presented = value.encode() if isinstance(value, str) else bytes(value)
                return hmac.compare_digest(presented, self._expected)
        return False

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Handler | None]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Handler | None:
        handler = await continuation(handler_call_details)
        method = str(handler_call_details.method)
        if (
            handler is None
            or method.startswith(OPEN_METHOD_PREFIX)
            or self._carries_token(handler_call_details)
        ):
            return handler
        logger.warning("refused %s: missing or wrong service token", method)
        GRPC_REQUESTS.labels(method, grpc.StatusCode.UNAUTHENTICATED.name).inc()
        return _refusal(handler)


def _with_token(details: Any, header: tuple[str, str]) -> grpc.aio.ClientCallDetails:
    metadata = grpc.aio.Metadata(*(details.metadata or ()), header)
    return grpc.aio.ClientCallDetails(
        method=details.method,
        timeout=details.timeout,
        metadata=metadata,
        credentials=details.credentials,
        wait_for_ready=details.wait_for_ready,
    )


class _TokenAdder:
    def __init__(self, token: SecretStr | str) -> None:
        self._header = (METADATA_KEY, bearer(token))


class _UnaryUnaryToken(_TokenAdder, grpc.aio.UnaryUnaryClientInterceptor):
    async def intercept_unary_unary(self, continuation: Any, client_call_details: Any, request: Any) -> Any:
        return await continuation(_with_token(client_call_details, self._header), request)


class _UnaryStreamToken(_TokenAdder, grpc.aio.UnaryStreamClientInterceptor):
    async def intercept_unary_stream(self, continuation: Any, client_call_details: Any, request: Any) -> Any:
        return await continuation(_with_token(client_call_details, self._header), request)


class _StreamUnaryToken(_TokenAdder, grpc.aio.StreamUnaryClientInterceptor):
    async def intercept_stream_unary(
        self, continuation: Any, client_call_details: Any, request_iterator: Any
    ) -> Any:
        return await continuation(_with_token(client_call_details, self._header), request_iterator)


class _StreamStreamToken(_TokenAdder, grpc.aio.StreamStreamClientInterceptor):
    async def intercept_stream_stream(
        self, continuation: Any, client_call_details: Any, request_iterator: Any
    ) -> Any:
        return await continuation(_with_token(client_call_details, self._header), request_iterator)


def token_interceptors(token: SecretStr | str) -> list[grpc.aio.ClientInterceptor]:
    """Interceptors that add the service token to every call of a grpc.aio channel (one per kind of call:
    a channel files each interceptor under the first kind it implements)."""
    kinds = (_UnaryUnaryToken, _UnaryStreamToken, _StreamUnaryToken, _StreamStreamToken)
    return [kind(token) for kind in kinds]


class _BlockingCallDetails(grpc.ClientCallDetails):
    def __init__(self, details: Any, header: tuple[str, str]) -> None:
        self.method = details.method
        self.timeout = details.timeout
        self.metadata = (*(details.metadata or ()), header)
        self.credentials = details.credentials
        self.wait_for_ready = details.wait_for_ready
        self.compression = details.compression


class BlockingServiceTokenInterceptor(
    grpc.UnaryUnaryClientInterceptor,
    grpc.UnaryStreamClientInterceptor,
    grpc.StreamUnaryClientInterceptor,
    grpc.StreamStreamClientInterceptor,
):
    """The same for a blocking (non-asyncio) channel."""

    def __init__(self, token: SecretStr | str) -> None:
        self._header = (METADATA_KEY, bearer(token))

    def intercept_unary_unary(self, continuation: Any, client_call_details: Any, request: Any) -> Any:
        return continuation(_BlockingCallDetails(client_call_details, self._header), request)

    def intercept_unary_stream(self, continuation: Any, client_call_details: Any, request: Any) -> Any:
        return continuation(_BlockingCallDetails(client_call_details, self._header), request)

    def intercept_stream_unary(
        self, continuation: Any, client_call_details: Any, request_iterator: Any
    ) -> Any:
        return continuation(_BlockingCallDetails(client_call_details, self._header), request_iterator)

    def intercept_stream_stream(
        self, continuation: Any, client_call_details: Any, request_iterator: Any
    ) -> Any:
        return continuation(_BlockingCallDetails(client_call_details, self._header), request_iterator)
