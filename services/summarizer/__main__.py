"""`python -m services.summarizer`: titles new tickets from chat_title_request until SIGTERM/SIGINT."""

from __future__ import annotations

import asyncio

from services.summarizer.app import build_app
from services.summarizer.config import SummarizerSettings
from t1lib.runtime import run_until_signalled, start_service


def main() -> None:
    settings = start_service(SummarizerSettings)

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
