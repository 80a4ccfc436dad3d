"""Client channels: every call carries the service token (t1lib.grpc.auth) and a deadline (the default
applies when the caller sets none). Every gRPC client in the project opens its channel here."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc
from pydantic import SecretStr

from t1lib.grpc.auth import BlockingServiceTokenInterceptor, token_interceptors
from t1lib.tracing import grpc_client_interceptors


class DefaultDeadlineInterceptor(grpc.aio.UnaryUnaryClientInterceptor):
    def __init__(self, timeout_s: float) -> None:
        self._timeout_s = timeout_s

    async def intercept_unary_unary(
        self,
        continuation: Callable[[grpc.aio.ClientCallDetails, Any], Any],
        client_call_details: grpc.aio.ClientCallDetails,
        request: Any,
    ) -> Any:
        if client_call_details.timeout is None:
            client_call_details = grpc.aio.ClientCallDetails(
                method=client_call_details.method,
                timeout=self._timeout_s,
                metadata=client_call_details.metadata,
                credentials=client_call_details.credentials,
                wait_for_ready=client_call_details.wait_for_ready,
            )
        return await continuation(client_call_details, request)


def open_channel(target: str, token: SecretStr | str, default_timeout_s: float = 5.0) -> grpc.aio.Channel:
    """A channel to `target` ("host:port") whose calls carry the service token `token` and a default
    deadline on every unary call."""
    return grpc.aio.insecure_channel(
        target,
        interceptors=[
            *grpc_client_interceptors(),
            *token_interceptors(token),
            DefaultDeadlineInterceptor(default_timeout_s),
        ],
    )


def open_blocking_channel(target: str, token: SecretStr | str) -> grpc.Channel:
    """A blocking (non-asyncio) channel whose calls carry the service token; callers set deadlines."""
    return grpc.intercept_channel(grpc.insecure_channel(target), BlockingServiceTokenInterceptor(token))
