"""S3-compatible storage: Versity S3 Gateway (versitygw), POSIX backend, built with `go install`.

Its root keys are the install's (generated into secrets.env); buckets made under other keys stay readable,
since the root account may read every bucket.
"""

from __future__ import annotations

import hashlib
import hmac
import http.client
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path

from infra.engines import credentials
from infra.engines.base import BIN_DIR, HOST, Engine, run
from infra.engines.golang import go_binary

VERSION = "v1.8.0"
PACKAGE = "github.com/versity/versitygw/cmd/versitygw"


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


def _hmac(key: bytes, text: str) -> bytes:
    return hmac.new(key, text.encode(), hashlib.sha256).digest()


def signed_headers(access_key: str, secret_key: str, host: str, region: str = "us-east-1") -> dict[str, str]:
    """AWS Signature V4 headers of `GET /` (ListBuckets) on `host`, for the health check."""
    now = datetime.now(UTC)
    stamp, day = now.strftime("%Y%m%dT%H%M%SZ"), now.strftime("%Y%m%d")
    empty = hashlib.sha256(b"").hexdigest()
    signed = "host;x-amz-content-sha256;x-amz-date"
    canonical = (
        f"GET\n/\n\nhost:{host}\nx-amz-content-sha256:{empty}\nx-amz-date:{stamp}\n\n{signed}\n{empty}"
    )
    scope = f"{day}/{region}/s3/aws4_request"
    to_sign = f"AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    key = _hmac(_hmac(_hmac(_hmac(f"AWS4{secret_key}".encode(), day), region), "s3"), "aws4_request")
    signature = hmac.new(key, to_sign.encode(), hashlib.sha256).hexdigest()
    return {
        "Host": host,
        "x-amz-content-sha256": empty,
        "x-amz-date": stamp,
        "Authorization": f"AWS4-HMAC-SHA256 Credential={access_key}/{scope}, "
        f"SignedHeaders={signed}, Signature={signature}",
    }


class S3(Engine):
    name = "s3"
    default_port = 9000

    @property
    def access_key(self) -> str:
        return self.secrets()[credentials.S3_ACCESS_KEY]

    @property
    def secret_key(self) -> str:
        return self.secrets()[credentials.S3_SECRET_KEY]

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

    def _list_buckets(self, headers: dict[str, str]) -> int | None:
        """The status of `GET /` (None when nothing answers)."""
        conn = http.client.HTTPConnection(HOST, self.port, timeout=2)
        try:
            conn.request("GET", "/", headers=headers)
            response = conn.getresponse()
            response.read()
            return response.status
        except (OSError, http.client.HTTPException):
            return None
        finally:
            conn.close()

    def healthy(self) -> bool:
        return self._list_buckets({}) is not None

    def current(self) -> bool:
        """The server takes this install's keys."""
        headers = signed_headers(self.access_key, self.secret_key, f"{HOST}:{self.port}")
        return self._list_buckets(headers) == 200

    def url(self) -> str:
        return f"http://{HOST}:{self.port}"
