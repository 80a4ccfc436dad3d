"""Process supervision shared by every engine: install once, start detached, health-check, stop.

Stdlib only: this runs before the project's virtualenv exists.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
CACHE_DIR = Path(os.environ.get("T1_CACHE_DIR", Path.home() / ".cache" / "t1"))
DATA_DIR = Path(os.environ.get("T1_DATA_DIR", REPO_ROOT / ".data"))
BIN_DIR = CACHE_DIR / "bin"
HOST = "127.0.0.1"


def log(message: str) -> None:
    print(f"[engines] {message}", file=sys.stderr, flush=True)


def env_port(name: str, default: int) -> int:
    return int(os.environ.get(f"T1_{name.upper()}_PORT", default))


def run(cmd: Sequence[str | Path], *, cwd: Path | None = None, env: dict[str, str] | None = None) -> None:
    log("$ " + " ".join(str(part) for part in cmd))
    merged = {**os.environ, **(env or {})}
    subprocess.run([str(part) for part in cmd], cwd=cwd, env=merged, check=True)


def port_open(port: int, host: str = HOST) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(0.5)
        return sock.connect_ex((host, port)) == 0


def http_ok(url: str) -> bool:
    """True when `url` answers 2xx."""
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return 200 <= int(response.status) < 300
    except OSError:  # includes HTTPError for 4xx/5xx
        return False


class Engine:
    """One engine: subclasses say how to install, configure, run and probe it."""

    name: str = ""
    default_port: int = 0
    start_timeout_s: float = 60.0

    @property
    def port(self) -> int:
        return env_port(self.name, self.default_port)

    @property
    def data_dir(self) -> Path:
        return DATA_DIR / self.name

    @property
    def pid_file(self) -> Path:
        return DATA_DIR / "run" / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return DATA_DIR / "logs" / f"{self.name}.log"

    # --- hooks for subclasses -------------------------------------------------
    def installed(self) -> bool:
        raise NotImplementedError

    def install(self) -> None:
        raise NotImplementedError

    def prepare(self) -> None:
        """Write config, format storage: anything needed before the first start."""

    def command(self) -> list[str]:
        raise NotImplementedError

    def env(self) -> dict[str, str]:
        return {}

    def healthy(self) -> bool:
        return port_open(self.port)

    def url(self) -> str:
        return f"{HOST}:{self.port}"

    # --- lifecycle ------------------------------------------------------------
    def pid(self) -> int | None:
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return None
        except PermissionError:
            return pid
        return pid

    def ensure_installed(self) -> None:
        if not self.installed():
            log(f"installing {self.name}")
            self.install()
            if not self.installed():
                raise RuntimeError(f"{self.name}: install finished but the engine is still missing")

    def start(self) -> None:
        self.ensure_installed()
        if self.pid() is not None and self.healthy():
            log(f"{self.name} already running on {self.url()}")
            return
        if self.pid() is None and port_open(self.port):
            raise RuntimeError(
                f"{self.name}: port {self.port} is taken by a process we did not start; "
                f"stop it or set T1_{self.name.upper()}_PORT"
            )
        self.stop()
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        self.log_file.parent.mkdir(parents=True, exist_ok=True)
        self.prepare()
        with self.log_file.open("ab") as log_handle:
            process = subprocess.Popen(
                self.command(),
                cwd=self.data_dir,
                env={**os.environ, **self.env()},
                stdin=subprocess.DEVNULL,
                stdout=log_handle,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid_file.write_text(str(process.pid))
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if process.poll() is not None:
                tail = self.log_file.read_text(errors="replace")[-3000:]
                raise RuntimeError(f"{self.name} exited with {process.returncode}; log tail:\n{tail}")
            if self.healthy():
                log(f"{self.name} up on {self.url()} (pid {process.pid})")
                return
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"{self.name} not healthy after {self.start_timeout_s:.0f}s; see {self.log_file}")

    def stop(self) -> None:
        pid = self.pid()
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self._group_alive(pid):
            time.sleep(0.2)
        if self._group_alive(pid):
            log(f"{self.name} ignored SIGTERM; killing")
            with contextlib.suppress(ProcessLookupError):
                os.killpg(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        log(f"{self.name} stopped")

    @staticmethod
    def _group_alive(pgid: int) -> bool:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return False
        # A zombie leader still counts until reaped; treat a zombie as gone.
        try:
            state = Path(f"/proc/{pgid}/stat").read_text().split(")")[-1].split()[0]
        except OSError:
            return True
        return state != "Z"
