"""FerretDB v1 (MongoDB wire protocol on SQLite), built from the small Go module in this directory.

`go install .../cmd/ferretdb` panics on the missing build/version/version.txt, so main.go wraps
the embeddable `github.com/FerretDB/FerretDB/ferretdb` package instead; go.sum pins every dependency.
"""

from __future__ import annotations

import hashlib
import re
import shutil
import socket
import struct
from pathlib import Path

from infra.engines.base import BIN_DIR, HOST, Engine, port_open, run

MODULE_DIR = Path(__file__).resolve().parent
SOURCES = ("go.mod", "go.sum", "main.go", "idindex.go")
VERSION: str = re.findall(r"github\.com/FerretDB/FerretDB (v\S+)", (MODULE_DIR / "go.mod").read_text())[0]
# The binary name carries a digest of our sources, so editing main.go or go.sum triggers a rebuild.
DIGEST = hashlib.sha256(b"".join((MODULE_DIR / name).read_bytes() for name in SOURCES)).hexdigest()[:10]


def _hello_msg() -> bytes:
    """OP_MSG {hello: 1, $db: "admin"} with hand-built BSON."""
    body = b"\x10hello\x00" + struct.pack("<i", 1) + b"\x02$db\x00" + struct.pack("<i", 6) + b"admin\x00"
    doc = struct.pack("<i", len(body) + 5) + body + b"\x00"
    payload = struct.pack("<I", 0) + b"\x00" + doc  # flagBits, section kind 0, document
    return struct.pack("<iiii", 16 + len(payload), 1, 0, 2013) + payload


def mongo_ping(port: int, host: str = HOST) -> bool:
    """True if the server answers hello with ok: 1 (double or int32)."""
    try:
        with socket.create_connection((host, port), timeout=2) as sock:
            sock.sendall(_hello_msg())
            reply = b""
            while len(reply) < 4 or len(reply) < struct.unpack("<i", reply[:4])[0]:
                chunk = sock.recv(65536)
                if not chunk:
                    return False
                reply += chunk
    except OSError:
        return False
    return b"\x01ok\x00" + struct.pack("<d", 1.0) in reply or b"\x10ok\x00" + struct.pack("<i", 1) in reply


def go_binary() -> str:
    found = shutil.which("go") or shutil.which("go", path="/usr/local/go/bin")
    if found is None:
        raise RuntimeError("mongo: Go toolchain not found (need go >= 1.24 on PATH) to build FerretDB")
    return found


class FerretDB(Engine):
    name = "mongo"
    default_port = 27017

    @property
    def binary(self) -> Path:
        return BIN_DIR / f"ferretdb-{VERSION}-{DIGEST}"

    def installed(self) -> bool:
        return self.binary.is_file()

    def install(self) -> None:
        BIN_DIR.mkdir(parents=True, exist_ok=True)
        tmp = self.binary.with_name(self.binary.name + ".tmp")
        run([go_binary(), "build", "-trimpath", "-o", tmp, "."], cwd=MODULE_DIR, env={"CGO_ENABLED": "0"})
        tmp.replace(self.binary)

    def prepare(self) -> None:
        (self.data_dir / "sqlite").mkdir(parents=True, exist_ok=True)

    def command(self) -> list[str]:
        return [
            str(self.binary),
            f"-listen-addr={HOST}:{self.port}",
            f"-sqlite-dir={self.data_dir / 'sqlite'}",
        ]

    def healthy(self) -> bool:
        return port_open(self.port) and mongo_ping(self.port)

    def url(self) -> str:
        return f"mongodb://{HOST}:{self.port}/"
