"""Go programs built from a module pinned by a go.mod and go.sum with a `tool` directive (Jaeger, helm,
kubeconform): built once with the Go toolchain through the module proxy, cached in BIN_DIR under a name
that carries the go.sum's digest, so a new pin builds anew and an old binary is never reused by mistake.

Stdlib only: this runs before the project's virtualenv exists.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from infra.engines.base import BIN_DIR, CACHE_DIR, run

# Downloaded modules stay beside the binaries (~/.cache/t1), not in the user's own Go cache.
GOMODCACHE = CACHE_DIR / "go" / "mod"


def go_binary() -> str:
    found = shutil.which("go") or shutil.which("go", path="/usr/local/go/bin")
    if found is None:
        raise RuntimeError("Go toolchain not found (need go >= 1.26 on PATH or in /usr/local/go/bin)")
    return found


def go_env() -> dict[str, str]:
    return {"GOMODCACHE": str(GOMODCACHE), "CGO_ENABLED": "0"}


def sum_digest(module_dir: Path, files: Sequence[str] = ("go.sum",)) -> str:
    """The first 12 hex digits of the SHA-256 of `files` (the go.sum): the key of what the module builds."""
    sha = hashlib.sha256()
    for name in files:
        sha.update((module_dir / name).read_bytes())
    return sha.hexdigest()[:12]


def tool_binary(module_dir: Path, name: str, version: str) -> Path:
    """Where the build of `name` at `version` from the module in `module_dir` is cached."""
    return BIN_DIR / f"{name}-{version}-{sum_digest(module_dir)}"


def build_tool(
    module_dir: Path, package: str, binary: Path, files: Sequence[str] = ("go.mod", "go.sum")
) -> None:
    """`go build` `package` (a `tool` path, or "." for a main package among `files`) of the module in
    `module_dir` into `binary` (atomically)."""
    BIN_DIR.mkdir(parents=True, exist_ok=True)
    build = CACHE_DIR / "build" / binary.name
    shutil.rmtree(build, ignore_errors=True)
    try:
        build.mkdir(parents=True)
        for name in files:  # go may touch go.mod/go.sum: only in this copy
            shutil.copyfile(module_dir / name, build / name)
        tmp = binary.with_name(binary.name + ".tmp")
        run([go_binary(), "build", "-trimpath", "-o", tmp, package], cwd=build, env=go_env())
        tmp.replace(binary)
    finally:
        shutil.rmtree(build, ignore_errors=True)


def download_module(module: str, version: str) -> Path:
    """The directory of `module`@`version` in GOMODCACHE, downloaded (and checked against the checksum
    database) through the module proxy when missing."""
    with tempfile.TemporaryDirectory() as outside_any_module:
        result = subprocess.run(
            [go_binary(), "mod", "download", "-json", f"{module}@{version}"],
            capture_output=True,
            text=True,
            env={**os.environ, **go_env()},
            cwd=outside_any_module,
        )
    info: dict[str, Any] = json.loads(result.stdout or "{}")
    if result.returncode != 0 or info.get("Error") or not info.get("Dir"):
        raise RuntimeError(f"go mod download {module}@{version} failed: {info.get('Error') or result.stderr}")
    return Path(info["Dir"])
