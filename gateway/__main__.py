"""`python -m gateway`: serve the console API with uvicorn."""

from __future__ import annotations

import uvicorn

from gateway.core.config import Settings
from gateway.main import create_app
from t1lib.config import load_settings
from t1lib.logs import configure_logging
from t1lib.telemetry import configure_telemetry


def main() -> None:
    settings = load_settings(Settings)
    configure_logging(settings.service_name, settings.log_level, json_output=settings.log_json)
    configure_telemetry(settings.service_name, settings.metrics_port)
    uvicorn.run(
        create_app(settings),
        host=settings.gateway_host,
        port=settings.gateway_port,
        log_config=None,
        proxy_headers=False,
    )


if __name__ == "__main__":
    main()
