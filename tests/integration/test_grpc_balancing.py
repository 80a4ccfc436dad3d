"""A client of a service that runs twice spreads its calls over both instances (round-robin)."""

from __future__ import annotations

from collections.abc import Callable

import grpc
import pytest
from pydantic import SecretStr

from t1lib.grpc.client import channel_target, open_channel
from t1lib.grpc.server import start_server

pytestmark = pytest.mark.integration

TOKEN = SecretStr("a-token-of-the-balancing-test")
METHOD = "/t1.test.v1.Instance/Which"


def instance(name: bytes) -> Callable[[grpc.aio.Server], None]:
    """Registers a method that answers with the instance's name (raw bytes, no proto)."""

    async def which(_request: bytes, _context: grpc.aio.ServicerContext[bytes, bytes]) -> bytes:
        return name

    handler: grpc.RpcMethodHandler[bytes, bytes] = grpc.unary_unary_rpc_method_handler(which)
    generic = grpc.method_handlers_generic_handler("t1.test.v1.Instance", {"Which": handler})
    return lambda server: server.add_generic_rpc_handlers([generic])


async def test_calls_spread_over_every_instance() -> None:
    servers = []
    ports = []
    for name in (b"first", b"second"):
        server, port = await start_server("127.0.0.1:0", instance(name), ["t1.test.v1.Instance"], token=TOKEN)
        servers.append(server)
        ports.append(port)
    channel = open_channel(",".join(f"127.0.0.1:{port}" for port in ports), TOKEN)
    try:
        which: grpc.aio.UnaryUnaryMultiCallable[bytes, bytes] = channel.unary_unary(METHOD)
        answers = [await which(b"", timeout=5, wait_for_ready=True) for _ in range(20)]
    finally:
        await channel.close()
        for server in servers:
            await server.stop(None)
    assert set(answers) == {b"first", b"second"}, answers
    assert min(answers.count(b"first"), answers.count(b"second")) >= 5, answers


def test_targets() -> None:
    assert channel_target("127.0.0.1:8001") == "127.0.0.1:8001"
    assert channel_target("dns:///message-saver:8001") == "dns:///message-saver:8001"
    assert channel_target("10.0.0.1:8001, 10.0.0.2:8001") == "ipv4:10.0.0.1:8001,10.0.0.2:8001"
    with pytest.raises(ValueError, match="dns:///"):
        channel_target("saver-a:8001,saver-b:8001")
