"""`python -m services.stats`: the StatsService on T1_GRPC_PORT (8003) until SIGTERM/SIGINT.
`python -m services.stats replay` (with the service stopped): rebuild the figures from the topics at the
next start."""

from __future__ import annotations

import asyncio
import sys

from services.stats.app import build_app
from services.stats.config import StatsSettings
from services.stats.replay import replay
from t1lib.runtime import run_app, start_service


def main() -> None:
    settings = start_service(StatsSettings)
    if sys.argv[1:] == ["replay"]:
        print(asyncio.run(replay(settings)))
        return
    if sys.argv[1:]:
        raise SystemExit(f"unknown arguments {sys.argv[1:]}; usage: python -m services.stats [replay]")

    run_app(lambda: build_app(settings))


if __name__ == "__main__":
    main()
