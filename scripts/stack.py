"""`make up`: run every T1 Support service as a local process against the engines on loopback.

Services are started in order, their logs go to .data/logs/<name>.log, and Ctrl-C (or `make down`) stops
them all. The engines themselves are started by `make infra-up` before this runs.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field

from infra.engines.__main__ import ENGINES, service_env
from infra.engines.base import DATA_DIR, REPO_ROOT


@dataclass(frozen=True)
class Service:
    name: str
    module: str
    env: dict[str, str] = field(default_factory=dict)
    url: str = ""


# Filled in as services land; each runs as `python -m <module>`.
SERVICES: tuple[Service, ...] = ()

PID_DIR = DATA_DIR / "run"


def start(service: Service, env: dict[str, str]) -> subprocess.Popen[bytes]:
    log_path = DATA_DIR / "logs" / f"{service.name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("ab") as log:
        process = subprocess.Popen(  # noqa: S603 - our own modules
            [sys.executable, "-m", service.module],
            cwd=REPO_ROOT,
            env={**env, **service.env},
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    (PID_DIR / f"stack-{service.name}.pid").write_text(str(process.pid))
    return process


def stop_recorded() -> None:
    for pid_file in PID_DIR.glob("stack-*.pid"):
        with contextlib.suppress(ProcessLookupError, ValueError):
            os.killpg(int(pid_file.read_text()), signal.SIGTERM)
        pid_file.unlink(missing_ok=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stop", action="store_true", help="stop services left by an earlier run")
    args = parser.parse_args()
    PID_DIR.mkdir(parents=True, exist_ok=True)
    stop_recorded()
    if args.stop:
        return 0
    env = {**os.environ, **service_env()}
    processes = {service.name: start(service, env) for service in SERVICES}
    print("\nT1 Support is up. Engines:")
    for engine in ENGINES.values():
        print(f"  {engine.name:<11} {engine.url()}")
    for service in SERVICES:
        print(f"  {service.name:<11} {service.url or '(background worker)'}")
    print("Logs: .data/logs/. Ctrl-C stops the services; `make down` also stops the engines.\n", flush=True)
    try:
        while True:
            for name, process in processes.items():
                if process.poll() is not None:
                    print(
                        f"{name} exited with {process.returncode}; see .data/logs/{name}.log", file=sys.stderr
                    )
                    return 1
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nstopping services…")
    finally:
        stop_recorded()
    return 0


if __name__ == "__main__":
    sys.exit(main())
