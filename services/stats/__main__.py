"""`python -m services.stats`: the StatsService on T1_GRPC_PORT (8003) until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio

from services.stats.app import build_app
from services.stats.config import StatsSettings
from t1lib.runtime import run_until_signalled, start_service


def main() -> None:
    settings = start_service(StatsSettings)

    async def serve(stop: asyncio.Event) -> None:
        app = await build_app(settings)
        try:
            await app.start()
            await app.wait(stop)
        finally:
            await app.stop()

    run_until_signalled(serve)


if __name__ == "__main__":
    main()
