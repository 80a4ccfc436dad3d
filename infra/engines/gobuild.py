"""Building a Go program from a module pinned in this repository (go.mod + go.sum beside its Python code)
into the cache's bin directory, once per version: Jaeger (a `tool` directive) and the compose checker (a
main package of its own) are built this way. Stdlib only: this runs before the project's virtualenv exists."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Sequence
from pathlib import Path

from infra.engines.base import BIN_DIR, CACHE_DIR, run
from infra.engines.s3 import go_binary


def digest(module_dir: Path, files: Sequence[str]) -> str:
    """A short hash of `files` in `module_dir`: a change of any of them names (and so builds) a new binary."""
    sha = hashlib.sha256()
    for name in files:
        sha.update((module_dir / name).read_bytes())
    return sha.hexdigest()[:12]


def build(module_dir: Path, files: Sequence[str], package: str, binary: Path) -> None:
    """`go build` `package` ("." or a `tool` path) of the module made of `files` (copied out of `module_dir`:
    go may touch go.mod/go.sum, only in the copy) into `binary`, which appears whole or not at all."""
    BIN_DIR.mkdir(parents=True, exist_ok=True)
    scratch = CACHE_DIR / "build" / binary.name
    shutil.rmtree(scratch, ignore_errors=True)
    try:
        scratch.mkdir(parents=True)
        for name in files:
            shutil.copyfile(module_dir / name, scratch / name)
        tmp = binary.with_name(binary.name + ".tmp")
        run([go_binary(), "build", "-trimpath", "-o", tmp, package], cwd=scratch, env={"CGO_ENABLED": "0"})
        tmp.replace(binary)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
