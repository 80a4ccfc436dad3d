"""Redis from Debian's package, one instance on loopback with its own data dir."""

from __future__ import annotations

import shutil

from infra.engines import apt
from infra.engines.base import HOST, Engine


class Redis(Engine):
    name = "redis"
    default_port = 6379
    start_timeout_s = 20

    def installed(self) -> bool:
        return shutil.which("redis-server") is not None

    def install(self) -> None:
        apt.ensure(["redis-server"])

    def command(self) -> list[str]:
        return [
            "redis-server",
            "--bind",
            HOST,
            "--port",
            str(self.port),
            "--dir",
            str(self.data_dir),
            "--appendonly",
            "yes",
            "--save",
            "",
            "--daemonize",
            "no",
            "--protected-mode",
            "yes",
        ]

    def healthy(self) -> bool:
        import socket

        try:
            with socket.create_connection((HOST, self.port), timeout=1) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def url(self) -> str:
        return f"redis://{HOST}:{self.port}/0"
