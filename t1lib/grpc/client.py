"""Client channels whose every call carries a deadline: the default applies when the caller sets none."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import grpc


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


def open_channel(target: str, default_timeout_s: float = 5.0) -> grpc.aio.Channel:
    """An insecure channel to `target` ("host:port") with a default deadline on every unary call."""
    return grpc.aio.insecure_channel(target, interceptors=[DefaultDeadlineInterceptor(default_timeout_s)])
