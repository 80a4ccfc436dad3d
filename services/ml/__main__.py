"""`python -m services.ml`: the HintsService gRPC server (knowledge base, vectors, hints)."""

from __future__ import annotations

import asyncio
import gc

from services.ml.app import build_app
from services.ml.config import MlSettings
from t1lib.config import load_settings
from t1lib.health import serving
from t1lib.logs import configure_logging
from t1lib.runtime import run_until_signalled
from t1lib.telemetry import configure_telemetry
from t1lib.tracing import configure_tracing


def main() -> None:
    settings = load_settings(MlSettings)
    configure_logging(settings.service_name, settings.log_level, json_output=settings.log_json)
    configure_tracing(settings.service_name, settings)
    configure_telemetry(settings.service_name, settings.metrics_port, settings.metrics_host)

    async def serve(stop: asyncio.Event) -> None:
        app = await build_app(settings)
        try:
            await app.start()
            # The loaded index lives as long as the process: keep full collections from walking it
            # inside a query (they cost tens of milliseconds once the catalogue is in memory).
            gc.collect()
            gc.freeze()
            async with serving(app.readiness):
                await app.wait(stop)
        finally:
            await app.stop()

    run_until_signalled(serve)


if __name__ == "__main__":
    main()
