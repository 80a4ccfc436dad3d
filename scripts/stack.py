"""`make up`: run every T1 Support service as a local process against the engines on loopback.

Services are started in order, their logs go to .data/logs/<name>.log, and Ctrl-C (or `make down`) stops
them all. The engines themselves are started by `make infra-up` before this runs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

import httpx

from infra.engines import credentials
from infra.engines.__main__ import ENGINES, SECRETS_FILE, service_env
from infra.engines.base import DATA_DIR, REPO_ROOT, port_open
from infra.engines.prometheus import Prometheus
from t1lib.private_files import PRIVATE_DIR, PRIVATE_FILE, append_private


@dataclass(frozen=True)
class Service:
    name: str
    module: str
    port: int
    env: dict[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ()
    url: str = ""
    # Lower CPU priority for work that must not delay customers' messages on a small machine (titles,
    # categories and hints are CPU-heavy embeddings; they catch up when the burst is over).
    nice: int = 0
    # How long it may take to listen. ml embeds the whole knowledge base on its first start (58 s for the
    # 201 FAQ entries and their variants on a slow 2-core machine, at nice 10 next to the other services).
    start_timeout_s: float = 60
    kind: str = ""  # the service an instance belongs to (its Prometheus job); empty: `name`

    @property
    def job(self) -> str:
        return self.kind or self.name


SANDBOX_TOKEN = "123456:t1-sandbox-token"  # noqa: S105 - the local fake accepts any token
SANDBOX_PORT = 8081
NOTIFICATIONS_PORT = 8006

PID_DIR = DATA_DIR / "run"
# The knowledge base the project was given; imported on the first start when the KB is empty.
SHARED_KB = REPO_ROOT.parent / "shared" / "data" / "vtb_belarus_faq.xlsx"
OWN_KB = REPO_ROOT / "data" / "kb" / "vtb_belarus_faq.xlsx"  # our copy, when ../shared is not beside us
KB_VARIANTS = REPO_ROOT / "data" / "kb" / "vtb_belarus_faq.variants.jsonl"
# The stack's own secrets, kept beside the engines' (infra/engines/credentials.py) in SECRETS_FILE.
STACK_SECRETS: credentials.Generators = {
    "T1_JWT_SECRET": lambda: secrets.token_urlsafe(32),
    "T1_ADMIN_PASSWORD": lambda: secrets.token_urlsafe(9),
    # Bots behind one webhook URL must agree on Telegram's secret header (`make up SCALE=2`).
    "T1_BOT_WEBHOOK_SECRET": lambda: secrets.token_urlsafe(32),
}


def sandbox_mode() -> bool:
    """No real bot token configured: run the fake Telegram and point the bot at it."""
    return not os.environ.get("TELEGRAM_BOT_TOKEN")


def services() -> list[Service]:
    """Every service in start order; each runs as `python -m <module>`."""
    listed: list[Service] = []
    if sandbox_mode():
        listed.append(
            Service(
                "telegram-sandbox",
                "fakes.telegram",
                SANDBOX_PORT,
                args=("--host", "127.0.0.1", "--port", str(SANDBOX_PORT), "--token", SANDBOX_TOKEN),
                url=f"http://127.0.0.1:{SANDBOX_PORT}/  (play the customer here)",
            )
        )
    listed += [
        Service(
            "message_saver",
            "services.message_saver",
            8001,
            {"T1_GRPC_PORT": "8001", "T1_METRICS_PORT": "9102"},
            url="grpc://127.0.0.1:8001  (TicketService)",
        ),
        Service(
            "notifications",
            "services.notifications",
            NOTIFICATIONS_PORT,
            {"T1_METRICS_PORT": "9103"},
            url=f"ws://127.0.0.1:{NOTIFICATIONS_PORT}/ws  (relayed by the gateway at /api/v1/ws)",
        ),
        Service("bot", "services.bot", 0, {"T1_METRICS_PORT": "9104"}),
        Service(
            "ml",
            "services.ml",
            8004,
            # OpenMP threads sleep when idle instead of spinning on both cores between embeddings.
            {"T1_GRPC_PORT": "8004", "T1_METRICS_PORT": "9105", "OMP_WAIT_POLICY": "PASSIVE"},
            url="grpc://127.0.0.1:8004  (HintsService)",
            nice=10,
            start_timeout_s=600,
        ),
        Service("summarizer", "services.summarizer", 0, {"T1_METRICS_PORT": "9106"}, nice=10),
        # Off the customer's path, like ml and the summarizer: figures may lag under load, messages must not.
        Service(
            "stats",
            "services.stats",
            8003,
            {"T1_GRPC_PORT": "8003", "T1_METRICS_PORT": "9107"},
            url="grpc://127.0.0.1:8003  (StatsService)",
            nice=10,
        ),
        Service(
            "gateway",
            "gateway",
            8000,
            {"T1_METRICS_PORT": "9101"},
            url="http://127.0.0.1:8000/  (operator console; API docs at /docs)",
        ),
    ]
    return listed


# `make up SCALE=n`: what a second (third, …) instance of a service needs of its own. Ports move by 10 per
# instance; per-instance state (search index, Qdrant local mode, which locks its folder) gets its own folder.
SCALABLE = ("message_saver", "notifications", "bot", "ml", "summarizer", "stats", "gateway")
PORT_STEP = 10
BOT_WEBHOOK_PORT = 8090
BOT_WEBHOOK_URL = f"http://127.0.0.1:{BOT_WEBHOOK_PORT}/telegram/webhook"


def scaled(listed: list[Service], scale: int) -> list[Service]:
    """`listed` with `scale` instances of each scalable service, the copies right after the first."""
    result: list[Service] = []
    for service in listed:
        result.append(service)
        if service.name not in SCALABLE:
            continue
        for number in range(2, scale + 1):
            result.append(_instance(service, number))
    return result


def _instance(service: Service, number: int) -> Service:
    shift = PORT_STEP * (number - 1)
    port = service.port + shift if service.port else 0
    env = {key: str(int(value) + shift) for key, value in service.env.items() if key.endswith("_PORT")}
    env |= {key: value for key, value in service.env.items() if not key.endswith("_PORT")}
    name = f"{service.name}-{number}"
    if service.name == "message_saver":
        env |= {
            "T1_SEARCH_DIR": str(DATA_DIR / f"search-{number}"),
            "T1_SEARCH_CONSUMER_GROUP": f"{name}-search",
        }
    if service.name == "notifications":
        env["T1_NOTIFICATIONS_PORT"] = str(port)
    if service.name == "gateway":  # relays the sockets of its own notifications instance
        env["T1_GATEWAY_PORT"] = str(port)
        env["T1_NOTIFICATIONS_WS_URL"] = f"ws://127.0.0.1:{NOTIFICATIONS_PORT + shift}/ws"
    if service.name == "ml":
        env["T1_QDRANT_PATH"] = str(DATA_DIR / f"qdrant-{number}")
    if (
        service.name == "stats"
    ):  # each instance keeps every figure: it reads every event in a group of its own
        env["T1_CONSUMER_GROUP"] = f"stats-{number}"
    url = service.url.replace(f":{service.port}", f":{port}") if service.port else service.url
    return Service(
        name,
        service.module,
        port,
        env,
        service.args,
        url,
        service.nice,
        service.start_timeout_s,
        service.name,
    )


def scaled_env(env: dict[str, str], scale: int) -> dict[str, str]:
    """Clients reach every instance (gRPC round-robin over the list); the bots share one webhook port."""
    if scale <= 1:
        return env

    def every(port: int) -> str:
        return ",".join(f"127.0.0.1:{port + PORT_STEP * number}" for number in range(scale))

    env = dict(env)
    env["T1_TICKETS_GRPC_ADDR"] = every(8001)
    env["T1_ML_GRPC_ADDR"] = every(8004)
    env["T1_STATS_GRPC_ADDR"] = every(8003)
    env |= {
        "T1_BOT_WEBHOOK_URL": BOT_WEBHOOK_URL,
        "T1_BOT_WEBHOOK_PORT": str(BOT_WEBHOOK_PORT),
        "T1_BOT_WEBHOOK_REUSE_PORT": "true",
    }
    return env


def stack_env() -> dict[str, str]:
    """Engine addresses, service addresses and the secrets kept in .data/secrets.env across runs; a variable
    set in the environment overrides both."""
    saved = credentials.ensure(SECRETS_FILE, STACK_SECRETS)
    # The environment wins over what was saved: T1_ADMIN_USERNAME / T1_ADMIN_PASSWORD choose the login.
    env = {**service_env(), **saved, **os.environ}
    env.setdefault("T1_ADMIN_USERNAME", "admin")
    env.setdefault("T1_TICKETS_GRPC_ADDR", "127.0.0.1:8001")
    env.setdefault("T1_NOTIFICATIONS_WS_URL", f"ws://127.0.0.1:{NOTIFICATIONS_PORT}/ws")
    env.setdefault("T1_QDRANT_PATH", str(DATA_DIR / "qdrant"))
    env.setdefault("T1_ML_GRPC_ADDR", "127.0.0.1:8004")
    env.setdefault("T1_TRACE_UI_URL", env.get("T1_JAEGER_URL", ""))
    env.setdefault("T1_KB_IMPORT_FILE", str(SHARED_KB if SHARED_KB.is_file() else OWN_KB))
    env.setdefault("T1_KB_VARIANTS_FILE", str(KB_VARIANTS))
    if sandbox_mode():
        env["TELEGRAM_BOT_TOKEN"] = SANDBOX_TOKEN
        env["TELEGRAM_API_URL"] = f"http://127.0.0.1:{SANDBOX_PORT}"
    return env


def wait_listening(service: Service, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + service.start_timeout_s
    while service.port and time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"{service.name} exited with {process.returncode}; see .data/logs/{service.name}.log"
            )
        if port_open(service.port):
            return
        time.sleep(0.2)
    if service.port:
        raise RuntimeError(
            f"{service.name} did not listen on {service.port}; see .data/logs/{service.name}.log"
        )


def wait_ready(service: Service, process: subprocess.Popen[bytes], deadline: float) -> None:
    """Until the service's /readyz (ops server on T1_METRICS_PORT) says 200; a warning naming the failing
    checks, not a failure, when it does not by `deadline` (the engines may come back)."""
    metrics_port = service.env.get("T1_METRICS_PORT")
    if not metrics_port:
        return
    url = f"http://127.0.0.1:{metrics_port}/readyz"
    body = "no answer"
    while time.monotonic() < deadline and process.poll() is None:
        with contextlib.suppress(httpx.HTTPError):
            response = httpx.get(url, timeout=3)
            if response.status_code == 200:
                return
            body = response.text
        time.sleep(0.2)
    if process.poll() is None:
        print(f"warning: {service.name} is not ready ({url}): {body}", file=sys.stderr)


def make_logs_private() -> None:
    """The logs of earlier runs (engines' too) made readable by this user only."""
    logs = DATA_DIR / "logs"
    if logs.is_dir():
        logs.chmod(PRIVATE_DIR)
        for path in logs.glob("*.log"):
            path.chmod(PRIVATE_FILE)


def start(service: Service, env: dict[str, str]) -> subprocess.Popen[bytes]:
    # Logs hold customers' messages: readable by this user only.
    with append_private(DATA_DIR / "logs" / f"{service.name}.log") as log:
        niceness = ["nice", "-n", str(service.nice)] if service.nice else []
        process = subprocess.Popen(  # noqa: S603 - our own modules
            [*niceness, sys.executable, "-m", service.module, *service.args],
            cwd=REPO_ROOT,
            env={**env, **service.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    (PID_DIR / f"stack-{service.name}.pid").write_text(str(process.pid))
    return process


def scrape_targets(listed: list[Service]) -> list[tuple[str, str]]:
    """(service, host:port) of every instance's /metrics under `make up`."""
    return [
        (service.job, f"127.0.0.1:{service.env['T1_METRICS_PORT']}")
        for service in listed
        if "T1_METRICS_PORT" in service.env
    ]


def prometheus() -> Prometheus:
    engine = ENGINES["prometheus"]
    assert isinstance(engine, Prometheus)
    return engine


def stop_recorded() -> None:
    prometheus().remove_targets("stack")
    for pid_file in PID_DIR.glob("stack-*.pid"):
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.killpg(int(pid_file.read_text()), signal.SIGTERM)
        pid_file.unlink(missing_ok=True)


def _interrupt(_signum: int, _frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stop", action="store_true", help="stop services left by an earlier run")
    parser.add_argument(
        "--scale", type=int, default=1, choices=range(1, 4), help="instances of every service that scales"
    )
    args = parser.parse_args()
    PID_DIR.mkdir(parents=True, exist_ok=True)
    stop_recorded()
    if args.stop:
        return 0
    signal.signal(signal.SIGTERM, _interrupt)
    make_logs_private()
    env = scaled_env(stack_env(), args.scale)
    listed = scaled(services(), args.scale)
    processes: dict[str, subprocess.Popen[bytes]] = {}
    try:
        for service in listed:
            processes[service.name] = start(service, env)
            deadline = time.monotonic() + service.start_timeout_s
            wait_listening(service, processes[service.name])
            wait_ready(service, processes[service.name], deadline)
    except RuntimeError as error:
        print(error, file=sys.stderr)
        stop_recorded()
        return 1
    prometheus().write_targets("stack", scrape_targets(listed))
    print("\nT1 Support is up.\n\nEngines:")
    for engine in ENGINES.values():
        print(f"  {engine.name:<17} {engine.url()}")
    print("Services:")
    for service in listed:
        print(f"  {service.name:<17} {service.url or '(background worker)'}")
    if args.scale > 1:
        print(f"  (bots in webhook mode, sharing {BOT_WEBHOOK_URL}; see docs/deploy.md)")
    print(
        f"\nOperator login: {env['T1_ADMIN_USERNAME']} / {env['T1_ADMIN_PASSWORD']}  (kept in {SECRETS_FILE})"
    )
    print(f"Traces:  {ENGINES['jaeger'].url()}  (Jaeger; admins open a message's trace from the console)")
    print(f"Metrics: {ENGINES['prometheus'].url()}  (Prometheus; alerts at /alerts)")
    print("Logs:    .data/logs/, followed with `make logs` (TICKET=…, TRACE=…)")
    print("Where to look for what: docs/observability.md.")
    print("Ctrl-C stops the services; `make down` also stops the engines.\n", flush=True)
    try:
        while True:
            for name, process in processes.items():
                if process.poll() is None:
                    continue
                if process.returncode in (0, -signal.SIGTERM):
                    print(f"{name} was stopped (make down); stopping the rest")
                    return 0
                print(f"{name} exited with {process.returncode}; see .data/logs/{name}.log", file=sys.stderr)
                return 1
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nstopping services…")
    finally:
        stop_recorded()
    return 0


if __name__ == "__main__":
    sys.exit(main())
