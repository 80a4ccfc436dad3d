"""S3-compatible storage: Versity S3 Gateway (versitygw), POSIX backend, built with `go install`."""

from __future__ import annotations

import http.client
import os
import shutil
from pathlib import Path

from infra.engines.base import BIN_DIR, HOST, Engine, run

VERSION = "v1.8.0"
PACKAGE = "github.com/versity/versitygw/cmd/versitygw"


def go_binary() -> str:
    found = shutil.which("go") or shutil.which("go", path="/usr/local/go/bin")
    if found is None:
        raise RuntimeError("s3: Go toolchain not found (need go >= 1.25 on PATH) to build versitygw")
    return found


def _xattrs_supported(directory: Path) -> bool:
    probe = directory / ".xattr-probe"
    try:
        probe.touch()
        os.setxattr(probe, "user.t1", b"1")
        return True
    except (AttributeError, OSError):
        return False
    finally:
        probe.unlink(missing_ok=True)


class S3(Engine):
    name = "s3"
    default_port = 9000
    access_key: str = os.environ.get("T1_S3_ACCESS_KEY", "t1admin")
    secret_key: str = os.environ.get("T1_S3_SECRET_KEY", "t1adminsecret")

    @property
    def binary(self) -> Path:
        return BIN_DIR / f"versitygw-{VERSION}"

    @property
    def root(self) -> Path:
        """Every subdirectory of root is a bucket."""
        return self.data_dir / "buckets"

    @property
    def sidecar(self) -> Path:
        """Object metadata store, used only where the filesystem lacks user xattrs."""
        return self.data_dir / "meta"

    def installed(self) -> bool:
        return self.binary.is_file()

    def install(self) -> None:
        gobin = BIN_DIR / f".versitygw-{VERSION}.build"
        shutil.rmtree(gobin, ignore_errors=True)
        run(
            [go_binary(), "install", "-trimpath", f"{PACKAGE}@{VERSION}"],
            env={"GOBIN": str(gobin), "CGO_ENABLED": "0"},
        )
        (gobin / "versitygw").replace(self.binary)
        gobin.rmdir()

    def prepare(self) -> None:
        self.root.mkdir(parents=True, exist_ok=True)
        if not _xattrs_supported(self.data_dir):
            self.sidecar.mkdir(parents=True, exist_ok=True)

    def command(self) -> list[str]:
        backend = ["posix"] if not self.sidecar.is_dir() else ["posix", f"--sidecar={self.sidecar}"]
        return [str(self.binary), f"--port={HOST}:{self.port}", "--quiet", *backend, str(self.root)]

    def env(self) -> dict[str, str]:
        # Credentials go through the environment so they do not show up in `ps`.
        return {"ROOT_ACCESS_KEY_ID": self.access_key, "ROOT_SECRET_ACCESS_KEY": self.secret_key}

    def healthy(self) -> bool:
        conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
        try:
            conn.request("GET", "/")
            conn.getresponse().read()
            return True
        except (OSError, http.client.HTTPException):
            return False
        finally:
            conn.close()

    def url(self) -> str:
        return f"http://{HOST}:{self.port}"
