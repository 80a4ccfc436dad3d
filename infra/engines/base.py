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

from infra.engines import credentials

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
    """One engine: subclasses say how to install, configure, run and probe it.

    `base_dir` holds its data, pid file, log and the install's secrets (the data dir by default; a test
    runs an instance of its own in a directory of its own, on a spare port)."""

    name: str = ""
    default_port: int = 0
    start_timeout_s: float = 60.0

    def __init__(self, base_dir: Path = DATA_DIR, port: int | None = None) -> None:
        self.base_dir = base_dir
        self._port = port

    @property
    def port(self) -> int:
        return self._port if self._port is not None else env_port(self.name, self.default_port)

    @property
    def data_dir(self) -> Path:
        return self.base_dir / self.name

    @property
    def pid_file(self) -> Path:
        return self.base_dir / "run" / f"{self.name}.pid"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "logs" / f"{self.name}.log"

    @property
    def secrets_file(self) -> Path:
        return self.base_dir / "secrets.env"

    def secrets(self) -> dict[str, str]:
        """The install's secrets (generated on first use)."""
        return credentials.ensure(self.secrets_file)

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

    def current(self) -> bool:
        """A healthy engine runs with this install's credentials (engines without any always do)."""
        return True

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

    def start(self, *, restart_stale: bool = True) -> None:
        """Start unless running; an engine running with other credentials than the install's (say,
        started before it had any) is restarted, or with `restart_stale=False` refused with a message."""
        self.ensure_installed()
        if self.pid() is not None and self.healthy():
            if self.current():
                log(f"{self.name} already running on {self.url()}")
                return
            if not restart_stale:
                raise RuntimeError(
                    f"{self.name} on {self.url()} runs with other credentials than {self.secrets_file}: "
                    f"restart it with `python3 -m infra.engines up {self.name}`"
                )
            log(f"{self.name} runs with other credentials than {self.secrets_file}: restarting it")
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
