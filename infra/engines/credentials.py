"""The install's secrets: generated once, kept in `<data dir>/secrets.env` (KEY=value lines, mode 0600).

The engines read their credentials from it when they start (Redis' password, the S3 keys), and
`service_env()` hands them, with the token the components show each other over gRPC, to every process that
`make up`, `make test` and `make bench` run. A key missing from the file is generated and added; keys already
there are never changed, so an install keeps its secrets across upgrades. To choose a value, edit the file
and run `python3 -m infra.engines up` (an engine running with other credentials is restarted).

Stdlib only: this runs before the project's virtualenv exists.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path

# The variables' names (not secrets).
SERVICE_TOKEN = "T1_SERVICE_TOKEN"  # noqa: S105
REDIS_PASSWORD = "T1_REDIS_PASSWORD"  # noqa: S105
S3_ACCESS_KEY = "T1_S3_ACCESS_KEY"
S3_SECRET_KEY = "T1_S3_SECRET_KEY"  # noqa: S105

Generators = Mapping[str, Callable[[], str]]

# Only URL-safe characters: the Redis password goes into redis://:<password>@host URLs.
INSTALL_SECRETS: Generators = {
    SERVICE_TOKEN: lambda: secrets.token_urlsafe(32),
    REDIS_PASSWORD: lambda: secrets.token_urlsafe(24),
    S3_ACCESS_KEY: lambda: "t1-" + secrets.token_hex(8),
    S3_SECRET_KEY: lambda: secrets.token_urlsafe(30),
}


def read(path: Path) -> dict[str, str]:
    """The KEY=value lines of `path` (empty when it does not exist)."""
    if not path.exists():
        return {}
    pairs = (line.split("=", 1) for line in path.read_text().splitlines() if "=" in line)
    return {key.strip(): value.strip() for key, value in pairs}


@contextlib.contextmanager
def _locked(path: Path) -> Iterator[None]:
    """One writer at a time (two test sessions starting together must not generate two passwords)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _write_private(path: Path, values: Mapping[str, str]) -> None:
    """Replace `path` atomically with a file only its owner can read."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write("".join(f"{key}={value}\n" for key, value in values.items()))
    os.replace(temporary, path)


def ensure(path: Path, wanted: Generators = INSTALL_SECRETS) -> dict[str, str]:
    """Every secret saved in `path`, after generating and saving the ones of `wanted` it lacks."""
    saved = read(path)
    if all(saved.get(key) for key in wanted) and _private(path):
        return saved
    with _locked(path):
        saved = read(path)
        missing = {key: generate() for key, generate in wanted.items() if not saved.get(key)}
        if missing or not _private(path):
            saved = {**saved, **missing}
            _write_private(path, saved)
    return saved


def _private(path: Path) -> bool:
    return path.exists() and path.stat().st_mode & 0o077 == 0
