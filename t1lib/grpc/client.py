"""Client channels: every call carries the service token (t1lib.grpc.auth) and a deadline (the default
applies when the caller sets none). Every gRPC client in the project opens its channel here."""

from __future__ import annotations

import ipaddress
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


# Calls spread over every address the target resolves to (several instances of a service: a list of
# addresses, or a DNS name with several records such as a Kubernetes headless service), not the first one.
# One plain address keeps pick_first: it reconnects on the next call after its server restarts, where
# round_robin fails calls until its reconnection backoff ends.
BALANCING = [("grpc.lb_policy_name", "round_robin")]


def balanced(target: str) -> bool:
    return target.startswith(("ipv4:", "dns:"))


def channel_target(addresses: str) -> str:
    """The gRPC target of `addresses`: "host:port", "dns:///name:port", or several "ip:port" separated by
    commas (gRPC's `ipv4:` list)."""
    parts = [part.strip() for part in addresses.split(",") if part.strip()]
    if len(parts) <= 1:
        return addresses.strip()
    try:
        for part in parts:
            host, _, port = part.rpartition(":")
            ipaddress.IPv4Address(host)
            int(port)
    except ValueError:
        raise ValueError(
            f"several gRPC addresses must each be IPv4:port, got {addresses!r}; for host names give one DNS "
            "name that resolves to every instance (dns:///name:port)"
        ) from None
    return "ipv4:" + ",".join(parts)


def open_channel(target: str, token: SecretStr | str, default_timeout_s: float = 5.0) -> grpc.aio.Channel:
    """A channel to `target` (see `channel_target`), balanced round-robin over its addresses, whose calls
    carry the service token `token` and a default deadline on every unary call."""
    resolved = channel_target(target)
    return grpc.aio.insecure_channel(
        resolved,
        options=BALANCING if balanced(resolved) else None,
        interceptors=[
            *grpc_client_interceptors(),
            *token_interceptors(token),
            DefaultDeadlineInterceptor(default_timeout_s),
        ],
    )


def open_blocking_channel(target: str, token: SecretStr | str) -> grpc.Channel:
    """A blocking (non-asyncio) channel whose calls carry the service token; callers set deadlines."""
    return grpc.intercept_channel(grpc.insecure_channel(target), BlockingServiceTokenInterceptor(token))
