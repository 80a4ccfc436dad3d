"""`python -m services.notifications`: WebSocket push of ticket events to operators."""

from __future__ import annotations

import uvicorn

from services.notifications.app import create_app
from services.notifications.config import Settings
from t1lib.config import load_settings
from t1lib.logs import configure_logging
from t1lib.telemetry import configure_telemetry


def main() -> None:
    settings = load_settings(Settings)
    configure_logging(settings.service_name, settings.log_level, json_output=settings.log_json)
    configure_telemetry(settings.service_name, settings.metrics_port)
    uvicorn.run(
        create_app(settings),
        host=settings.notifications_host,
        port=settings.notifications_port,
        log_config=None,
    )


if __name__ == "__main__":
    main()
