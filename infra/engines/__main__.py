"""Command line of the engine manager (stdlib only; runs before the virtualenv exists).

python3 -m infra.engines install [NAME...]   install what is missing (cached under ~/.cache/t1)
python3 -m infra.engines up [NAME...]        install, start and health-check (idempotent)
    Both also install the command-line tools (tesseract with Russian and English, DejaVu fonts) from
    Debian packages when no NAME is given or NAME includes "tools".
python3 -m infra.engines down [NAME...]      stop; leaves no process behind
python3 -m infra.engines status              one line per engine
python3 -m infra.engines env                 the T1_* variables that point services at the engines
                                             (with their credentials and the service token)
The credentials are generated once per install into <data dir>/secrets.env (see credentials.py).
"""

from __future__ import annotations

import argparse
import sys

from infra.engines import credentials, tools
from infra.engines.base import DATA_DIR, HOST, Engine, log
from infra.engines.ferretdb import FerretDB
from infra.engines.jaeger import Jaeger
from infra.engines.kafka import Kafka
from infra.engines.prometheus import Prometheus
from infra.engines.redis import Redis
from infra.engines.s3 import S3

ENGINES: dict[str, Engine] = {
    engine.name: engine for engine in (Kafka(), FerretDB(), Redis(), S3(), Prometheus(), Jaeger())
}


def select(names: list[str]) -> list[Engine]:
    unknown = [name for name in names if name not in ENGINES and name != tools.NAME]
    if unknown:
        raise SystemExit(f"unknown engine(s) {unknown}; known: {sorted(ENGINES)} and {tools.NAME}")
    if not names:
        return list(ENGINES.values())
    return [ENGINES[name] for name in names if name != tools.NAME]


def wants_tools(names: list[str]) -> bool:
    """Tools (not servers) come with every install/up of everything, or when named."""
    return not names or tools.NAME in names


SECRETS_FILE = DATA_DIR / "secrets.env"


def service_env() -> dict[str, str]:
    """What every process of the install needs: the engines' addresses with their credentials, and the
    token the components show each other over gRPC (all generated on first use, kept in SECRETS_FILE)."""
    s3, redis, jaeger = ENGINES["s3"], ENGINES["redis"], ENGINES["jaeger"]
    assert isinstance(s3, S3)
    assert isinstance(redis, Redis)
    assert isinstance(jaeger, Jaeger)
    return {
        "T1_KAFKA_BOOTSTRAP": ENGINES["kafka"].url(),
        "T1_MONGO_URL": ENGINES["mongo"].url(),
        "T1_REDIS_URL": redis.client_url(),
        credentials.REDIS_PASSWORD: redis.password,  # for docker-compose.yml; services use the URL
        "T1_S3_ENDPOINT": f"{HOST}:{s3.port}",
        "T1_S3_ACCESS_KEY": s3.access_key,
        "T1_S3_SECRET_KEY": s3.secret_key,
        "T1_PROMETHEUS_URL": ENGINES["prometheus"].url(),
        "T1_TRACING_ENDPOINT": jaeger.otlp_endpoint(),
        "T1_JAEGER_URL": jaeger.url(),
        credentials.SERVICE_TOKEN: credentials.ensure(SECRETS_FILE)[credentials.SERVICE_TOKEN],
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog="python3 -m infra.engines",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("command", choices=["install", "up", "down", "status", "env"])
    parser.add_argument(
        "names", nargs="*", help=f"engines (default: all): {', '.join(ENGINES)}, {tools.NAME}"
    )
    args = parser.parse_args(argv)
    engines = select(args.names)
    if args.command == "install":
        for engine in engines:
            engine.ensure_installed()
        if wants_tools(args.names):
            tools.ensure_tools()
    elif args.command == "up":
        for engine in engines:
            engine.ensure_installed()
        if wants_tools(args.names):
            tools.ensure_tools()
        try:
            for engine in engines:
                engine.start()
        except Exception as error:
            log(f"start failed: {error}")
            return 1
    elif args.command == "down":
        for engine in reversed(engines):
            engine.stop()
    elif args.command == "status":
        for engine in engines:
            pid = engine.pid()
            healthy = pid is not None and engine.healthy()
            if healthy and not engine.current():
                state = "up, old credentials"  # `up` restarts it with the install's
            else:
                state = "up" if healthy else ("starting/unhealthy" if pid else "down")
            print(f"{engine.name:<11} {state:<20} {engine.url()}" + (f"  pid {pid}" if pid else ""))
        if wants_tools(args.names):
            print(tools.status())
    else:
        for key, value in service_env().items():
            print(f"export {key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
