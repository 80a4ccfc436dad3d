"""Running ASGI apps on real loopback ports inside the test's event loop."""

from __future__ import annotations

import socket

from starlette.types import ASGIApp

from t1lib.runtime import EmbeddedHttpServer


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class LiveServer(EmbeddedHttpServer):
    """`async with LiveServer(app) as server:` serves `app` (lifespan included) at `server.url`."""

    def __init__(self, app: ASGIApp, port: int = 0) -> None:
        super().__init__(
            app, port=port, name="live-server", lifespan="on", log_config=None, ws_ping_interval=None
        )
