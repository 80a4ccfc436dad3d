"""What every benchmark needs around it: the engines and the stack running as `make up` runs them, an
operator's token, JSON lines on stdout, and the processes' memory and CPU read from /proc.

Nothing here measures; it starts what is missing (and stops only what it started)."""

from __future__ import annotations

import contextlib
import json
import math
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import httpx

REPO = Path(__file__).resolve().parents[1]
DATA_DIR = Path(os.environ.get("T1_DATA_DIR", REPO / ".data"))
RUN_DIR = DATA_DIR / "run"
SECRETS_FILE = DATA_DIR / "secrets.env"
GATEWAY = "http://127.0.0.1:8000"
SANDBOX = "http://127.0.0.1:8081"
ENGINE_NAMES = ("kafka", "mongo", "redis", "s3", "prometheus")
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_KB = os.sysconf("SC_PAGE_SIZE") // 1024
T = TypeVar("T")


def emit(record: dict[str, Any]) -> None:
    """One result: a JSON line on stdout."""
    print(json.dumps(record, ensure_ascii=False), flush=True)


def note(text: str) -> None:
    """Progress for the person watching: stderr, so stdout stays JSON lines."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {text}", file=sys.stderr, flush=True)


def percentile(values: Sequence[float], share: float) -> float | None:
    """Nearest-rank percentile of `values` (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def latency_summary(values_ms: Sequence[float]) -> dict[str, float | None]:
    def rounded(value: float | None) -> float | None:
        return None if value is None else round(value, 1)

    return {
        "p50": rounded(percentile(values_ms, 0.50)),
        "p95": rounded(percentile(values_ms, 0.95)),
        "p99": rounded(percentile(values_ms, 0.99)),
        "max": rounded(max(values_ms) if values_ms else None),
    }


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    import socket

    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.settimeout(0.5)
        return probe.connect_ex((host, port)) == 0


def git_commit() -> str:
    try:
        head = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"
    return head


def pace_ms(rounds: int = 3, additions: int = 1_000_000) -> float:
    """Milliseconds this machine takes now for a fixed pure-Python loop (best of `rounds`). A shared
    virtual machine's speed drifts from one minute to the next (the AMD machine of docs/performance:
    up to 1.8x), and runs compare only at a similar pace."""
    best = math.inf
    for _ in range(rounds):
        started = time.perf_counter()
        total = 0
        for number in range(additions):
            total += number
        best = min(best, time.perf_counter() - started)
    return round(best * 1000, 1)


def machine() -> dict[str, Any]:
    model = ""
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory_kb = 0
    with contextlib.suppress(OSError, ValueError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_kb = int(line.split()[1])
    return {
        "cpus": os.cpu_count(),
        "cpu_model": model,
        "memory_gb": round(memory_kb / 1024 / 1024, 1),
        "pace_ms": pace_ms(),
    }


# --- engines and the stack ------------------------------------------------------------------------


def ensure_engines() -> None:
    """`python3 -m infra.engines up`: installs (cached) and starts whatever engine is not running."""
    note("engines: python3 -m infra.engines up")
    subprocess.run(
        ["python3", "-m", "infra.engines", "up"],
        cwd=REPO,
        check=True,
        stdout=sys.stderr,
    )


@dataclass
class Stack:
    """The services of `make up`: already running (left alone) or started here (stopped by `stop`)."""

    process: subprocess.Popen[bytes] | None = None

    @property
    def started_here(self) -> bool:
        return self.process is not None

    def stop(self) -> None:
        if self.process is None:
            return
        note("stopping the stack this bench started")
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(self.process.pid, signal.SIGKILL)
        self.process = None


def ensure_stack(timeout_s: float = 900, *, tracing: bool = False) -> Stack:
    """Use the stack listening on 8000, or start `python -m scripts.stack` (as `make up` does, but with
    tracing only when `tracing`) and wait until the gateway, the notifications relay and the Telegram
    sandbox answer."""
    if port_open(8000):
        note("a stack is already listening on 8000: using it (it stays running)")
        wait_ready(timeout_s)
        return Stack()
    log_path = DATA_DIR / "logs" / "bench-stack.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    mode = "on" if tracing else "off"
    note(f"starting the stack (python -m scripts.stack, tracing {mode}; output in {log_path})")
    env = dict(os.environ)
    if not tracing:
        env["T1_TRACING_ENDPOINT"] = ""  # the environment wins over what `make up` sets
    with log_path.open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "scripts.stack"],
            cwd=REPO,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    stack = Stack(process)
    try:
        wait_ready(timeout_s, process)
    except BaseException:
        stack.stop()
        raise
    return stack


def wait_ready(timeout_s: float, process: subprocess.Popen[bytes] | None = None) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise RuntimeError(f"the stack exited with {process.returncode}; see .data/logs/")
        if all(port_open(port) for port in (8000, 8006, 8081)):
            with contextlib.suppress(httpx.HTTPError):
                if httpx.get(f"{GATEWAY}/healthz", timeout=2).status_code == 200:
                    return
        time.sleep(0.5)
    raise RuntimeError(f"the stack did not come up within {timeout_s:.0f} s")


# --- operators ------------------------------------------------------------------------------------


def admin_credentials() -> tuple[str, str]:
    saved: dict[str, str] = {}
    if SECRETS_FILE.exists():
        saved = dict(line.split("=", 1) for line in SECRETS_FILE.read_text().splitlines() if "=" in line)
    username = os.environ.get("T1_ADMIN_USERNAME") or saved.get("T1_ADMIN_USERNAME") or "admin"
    password = os.environ.get("T1_ADMIN_PASSWORD") or saved.get("T1_ADMIN_PASSWORD")
    if not password:
        raise RuntimeError(f"no admin password: set T1_ADMIN_PASSWORD or run `make up` once ({SECRETS_FILE})")
    return username, password


def login(client: httpx.Client, username: str, password: str) -> str:
    response = client.post(f"{GATEWAY}/api/v1/auth/login", json={"username": username, "password": password})
    response.raise_for_status()
    return str(response.json()["access_token"])


@dataclass
class Operator:
    id: str
    username: str
    token: str


def retrying(action: Callable[[], T], attempts: int = 5, pause_s: float = 2.0) -> T:
    """`action()`, again after a server error or a dropped connection (a busy store during start-up)."""
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except (httpx.HTTPStatusError, httpx.TransportError) as error:
            server_side = not isinstance(error, httpx.HTTPStatusError) or error.response.status_code >= 500
            if not server_side or attempt == attempts:
                raise
            note(f"retrying after {error!r}")
            time.sleep(pause_s)
    raise AssertionError("unreachable")


def admin(client: httpx.Client) -> Operator:
    username, password = admin_credentials()
    token = login(client, username, password)
    me = client.get(f"{GATEWAY}/api/v1/operators/me", headers=bearer(token))
    me.raise_for_status()
    return Operator(str(me.json()["id"]), username, token)


def bench_operators(client: httpx.Client, boss: Operator, count: int) -> list[Operator]:
    """Operators bench-op1..N (created on first use; a fresh password each run, set by the admin)."""
    listed = client.get(f"{GATEWAY}/api/v1/operators", headers=bearer(boss.token))
    listed.raise_for_status()
    existing = {item["username"]: item for item in listed.json()}
    operators: list[Operator] = []
    for number in range(1, count + 1):
        username = f"bench-op{number}"
        password = os.urandom(12).hex()
        if username in existing:
            operator_id = str(existing[username]["id"])
            client.patch(
                f"{GATEWAY}/api/v1/operators/{operator_id}",
                json={"password": password, "active": True},
                headers=bearer(boss.token),
            ).raise_for_status()
        else:
            created = client.post(
                f"{GATEWAY}/api/v1/operators",
                json={"username": username, "password": password, "display_name": f"Бенч {number}"},
                headers=bearer(boss.token),
            )
            created.raise_for_status()
            operator_id = str(created.json()["id"])
        operators.append(Operator(operator_id, username, login(client, username, password)))
    return operators


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


# --- processes: memory and CPU --------------------------------------------------------------------


@dataclass
class ProcessInfo:
    pid: int
    name: str
    rss_kb: int
    pss_kb: int
    cpu_s: float


@dataclass
class ProcessTable:
    """The stack's processes (services from .data/run/stack-*.pid, engines from .data/run/<engine>.pid)
    with their descendants, named by the pid file that led to them."""

    roots: dict[str, int] = field(default_factory=dict)

    @classmethod
    def discover(cls, extra: dict[str, int] | None = None) -> ProcessTable:
        roots: dict[str, int] = {}
        for pid_file in sorted(RUN_DIR.glob("stack-*.pid")):
            with contextlib.suppress(OSError, ValueError):
                roots[pid_file.stem.removeprefix("stack-")] = int(pid_file.read_text().strip())
        for engine in ENGINE_NAMES:
            with contextlib.suppress(OSError, ValueError):
                roots[engine] = int((RUN_DIR / f"{engine}.pid").read_text().strip())
        roots.update(extra or {})
        return cls({name: pid for name, pid in roots.items() if Path(f"/proc/{pid}").exists()})

    def pids(self) -> dict[str, list[int]]:
        children: dict[int, list[int]] = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            stat = _stat_fields(int(entry.name))
            if stat is not None:
                children.setdefault(int(stat[1]), []).append(int(entry.name))
        grouped: dict[str, list[int]] = {}
        for name, root in self.roots.items():
            found, todo = [], [root]
            while todo:
                pid = todo.pop()
                found.append(pid)
                todo.extend(children.get(pid, []))
            grouped[name] = found
        return grouped

    def snapshot(self) -> dict[str, ProcessInfo]:
        """Per name: RSS and PSS (kB, summed over the process tree) and CPU seconds so far."""
        result: dict[str, ProcessInfo] = {}
        for name, pids in self.pids().items():
            rss = pss = 0
            cpu = 0.0
            for pid in pids:
                rss_kb, pss_kb = _memory_kb(pid)
                rss, pss = rss + rss_kb, pss + pss_kb
                cpu += _cpu_s(pid)
            result[name] = ProcessInfo(self.roots[name], name, rss, pss, cpu)
        return result


def _stat_fields(pid: int) -> list[str] | None:
    """Fields of /proc/<pid>/stat after the command name: [state, ppid, ...]."""
    try:
        raw = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return raw[raw.rfind(")") + 2 :].split()


def _cpu_s(pid: int) -> float:
    fields = _stat_fields(pid)
    if fields is None:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS  # utime, stime


def _memory_kb(pid: int) -> tuple[int, int]:
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Rss:"):
                rss = int(line.split()[1])
            elif line.startswith("Pss:"):
                pss = int(line.split()[1])
    except (OSError, ValueError):
        with contextlib.suppress(OSError, ValueError, IndexError):
            rss = int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE_KB
            pss = rss
    return rss, pss


def cpu_per_message(
    before: dict[str, ProcessInfo], after: dict[str, ProcessInfo], messages: int
) -> dict[str, float]:
    """CPU milliseconds each process spent per delivered message between two snapshots."""
    if messages <= 0:
        return {}
    spent = {
        name: (after[name].cpu_s - before[name].cpu_s) * 1000 / messages
        for name in after
        if name in before and after[name].cpu_s >= before[name].cpu_s
    }
    return {name: round(value, 3) for name, value in sorted(spent.items(), key=lambda item: -item[1])}


@contextlib.contextmanager
def timer() -> Iterator[list[float]]:
    """with timer() as elapsed: ...; elapsed[0] is the seconds it took."""
    holder: list[float] = []
    started = time.perf_counter()
    try:
        yield holder
    finally:
        holder.append(time.perf_counter() - started)


def chunks(items: Sequence[Any], size: int) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
