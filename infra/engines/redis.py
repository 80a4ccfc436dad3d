"""Redis from Debian's package, one instance on loopback with its own data dir and the install's password.

The settings, password included, go into a config file only the owner can read (not the command line, where
`ps` shows them); it is written again at every start, so a changed password takes effect at the next one.
"""

from __future__ import annotations

import shutil
import socket
from pathlib import Path
from urllib.parse import quote

from infra.engines import apt, credentials
from infra.engines.base import HOST, Engine


def _command(*words: str) -> bytes:
    """One command in RESP (safe for any bytes in the words, unlike the inline form)."""
    parts = [f"*{len(words)}\r\n".encode()]
    for word in words:
        data = word.encode()
        parts.append(b"$%d\r\n%s\r\n" % (len(data), data))
    return b"".join(parts)


class Redis(Engine):
    name = "redis"
    default_port = 6379
    start_timeout_s = 20

    @property
    def password(self) -> str:
        return self.secrets()[credentials.REDIS_PASSWORD]

    @property
    def config_file(self) -> Path:
        return self.data_dir / "redis.conf"

    def installed(self) -> bool:
        return shutil.which("redis-server") is not None

    def install(self) -> None:
        apt.ensure(["redis-server"])

    def prepare(self) -> None:
        settings = {
            "bind": HOST,
            "port": str(self.port),
            "dir": str(self.data_dir),
            "appendonly": "yes",
            "save": '""',
            "daemonize": "no",
            "protected-mode": "yes",
            "requirepass": self.password,
        }
        self.config_file.unlink(missing_ok=True)
        self.config_file.touch(mode=0o600)
        self.config_file.write_text("".join(f"{key} {value}\n" for key, value in settings.items()))

    def command(self) -> list[str]:
        return ["redis-server", str(self.config_file)]

    def _ask(self, *commands: bytes) -> list[bytes]:
        """The first line of each reply, in order ([] when the server does not answer)."""
        try:
            with socket.create_connection((HOST, self.port), timeout=1) as sock:
                sock.sendall(b"".join(commands))
                replies = b""
                while replies.count(b"\r\n") < len(commands):
                    chunk = sock.recv(4096)
                    if not chunk:
                        break
                    replies += chunk
        except OSError:
            return []
        return replies.split(b"\r\n")[: len(commands)]

    def healthy(self) -> bool:
        """Serving: PING answers PONG, or NOAUTH when the server wants a password first."""
        reply = self._ask(_command("PING"))
        return bool(reply) and (reply[0] == b"+PONG" or reply[0].startswith(b"-NOAUTH"))

    def current(self) -> bool:
        """The server takes this install's password (one started without a password refuses AUTH)."""
        return self._ask(_command("AUTH", self.password), _command("PING")) == [b"+OK", b"+PONG"]

    def url(self) -> str:
        """The address to show (no password)."""
        return f"redis://{HOST}:{self.port}/0"

    def client_url(self) -> str:
        """The address services connect to, with the password."""
        return f"redis://:{quote(self.password, safe='')}@{HOST}:{self.port}/0"
