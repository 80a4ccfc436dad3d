"""Forwarding a service's calls to the instance that may answer them (the writer of a store only one
process may write): while `local()` is false, every unary call of the named services is passed on, as
bytes, to the address `target()` gives, with the caller's remaining deadline, and its answer or status
comes back unchanged."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Iterable

import grpc
from pydantic import SecretStr

from t1lib.errors import UnavailableError
from t1lib.grpc.client import open_channel
from t1lib.grpc.server import Context, Handler

FORWARD_TIMEOUT_S = 10.0  # when the caller set no deadline


class ForwardingInterceptor(grpc.aio.ServerInterceptor):
    def __init__(
        self,
        services: Iterable[str],
        *,
        local: Callable[[], bool],
        target: Callable[[], Awaitable[str | None]],
        token: SecretStr,
    ) -> None:
        self._prefixes = tuple(f"/{name}/" for name in services)
        self._local = local
        self._target = target
        self._token = token
        self._channels: dict[str, grpc.aio.Channel] = {}

    async def intercept_service(
        self,
        continuation: Callable[[grpc.HandlerCallDetails], Awaitable[Handler | None]],
        handler_call_details: grpc.HandlerCallDetails,
    ) -> Handler | None:
        method = str(handler_call_details.method)
        if self._local() or not method.startswith(self._prefixes):
            return await continuation(handler_call_details)

        async def forward(request: bytes, context: Context) -> bytes:
            if self._local():  # became the writer while the call waited
                raise UnavailableError("this instance just became the writer; retry")
            address = await self._target()
            if not address:
                raise UnavailableError("no instance is the writer yet; retry shortly")
            call: grpc.aio.UnaryUnaryMultiCallable[bytes, bytes] = self._channel(address).unary_unary(method)
            remaining = context.time_remaining()
            try:
                answer: bytes = await call(request, timeout=remaining or FORWARD_TIMEOUT_S)
            except grpc.aio.AioRpcError as error:
                await context.abort(error.code(), error.details() or "")
            return answer

        return grpc.unary_unary_rpc_method_handler(forward)

    def _channel(self, address: str) -> grpc.aio.Channel:
        channel = self._channels.get(address)
        if channel is None:
            channel = self._channels[address] = open_channel(address, self._token)
        return channel

    async def close(self) -> None:
        for channel in self._channels.values():
            await channel.close()
        self._channels.clear()
