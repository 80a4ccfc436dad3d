"""`python -m services.notifications`: WebSocket push of ticket events to operators."""

from __future__ import annotations

from services.notifications.app import create_app
from services.notifications.config import Settings
from t1lib.runtime import serve_http, start_service


def main() -> None:
    settings = start_service(Settings)
    serve_http(create_app(settings), settings.notifications_host, settings.notifications_port)


if __name__ == "__main__":
    main()
