"""Running a service process: settings, logging and telemetry at start; signals stop it gracefully."""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Awaitable, Callable
from typing import TypeVar

import uvicorn
from starlette.types import ASGIApp

from t1lib.config import BaseServiceSettings, load_settings
from t1lib.logs import configure_logging
from t1lib.telemetry import configure_telemetry

ServiceSettingsT = TypeVar("ServiceSettingsT", bound=BaseServiceSettings)


def start_service(settings_type: type[ServiceSettingsT]) -> ServiceSettingsT:
    """Settings from the environment (exiting with a clear message when incomplete), then logging and
    telemetry configured from them."""
    settings = load_settings(settings_type)
    configure_logging(settings.service_name, settings.log_level, json_output=settings.log_json)
    configure_telemetry(settings.service_name, settings.metrics_port)
    return settings


def run_until_signalled(main: Callable[[asyncio.Event], Awaitable[None]]) -> None:
    """Run `main(stop)`; SIGINT/SIGTERM set `stop`, and `main` is expected to flush and close, then return."""

    async def runner() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(signum, stop.set)
        await main(stop)

    asyncio.run(runner())


def serve_http(app: ASGIApp, host: str, port: int) -> None:
    """Serve an ASGI app until SIGINT/SIGTERM (uvicorn shuts the app's lifespan down gracefully)."""
    uvicorn.run(app, host=host, port=port, log_config=None, proxy_headers=False)
