"""The compose checker (main.go beside this file, on github.com/compose-spec/compose-go pinned by go.mod and
go.sum): loads docker-compose.yml as `docker compose` does, with the Compose specification's schema, and
checks T1's rules (every service of the product with a healthcheck, exact image tags, no default secrets).
No Docker engine is needed. Built with the Go toolchain through the module proxy into the cache once per
version of its sources. Stdlib only, like the engine manager it builds with."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence
from pathlib import Path

from infra.engines.base import BIN_DIR, REPO_ROOT
from infra.engines.golang import build_tool, sum_digest

COMPOSE_GO = "v2.16.2"  # v2.17 wants a newer Go than the toolchain here
MODULE_DIR = Path(__file__).resolve().parent
MODULE_FILES = ("go.mod", "go.sum", "main.go")
BINARY = BIN_DIR / f"composecheck-{COMPOSE_GO}-{sum_digest(MODULE_DIR, MODULE_FILES)}"

COMPOSE_FILE = REPO_ROOT / "docker-compose.yml"
ENV_EXAMPLE = REPO_ROOT / ".env.example"
# Services of the product besides services/<name>/__main__.py.
ALSO = ("gateway",)


def ensure_built() -> Path:
    if not BINARY.is_file():
        build_tool(MODULE_DIR, ".", BINARY, MODULE_FILES)
    return BINARY


def check(
    compose_file: Path = COMPOSE_FILE,
    env_example: Path = ENV_EXAMPLE,
    services_dir: Path = REPO_ROOT / "services",
) -> subprocess.CompletedProcess[str]:
    """Run the checker; relative paths in `compose_file` resolve from the repository (as they do for the
    real file), so a test may check a changed copy kept elsewhere."""
    command: Sequence[str | Path] = [
        ensure_built(),
        "-file",
        compose_file,
        "-env-example",
        env_example,
        "-project-dir",
        REPO_ROOT,
        "-services-dir",
        services_dir,
        *(arg for name in ALSO for arg in ("-also", name)),
    ]
    return subprocess.run([str(part) for part in command], capture_output=True, text=True, check=False)
