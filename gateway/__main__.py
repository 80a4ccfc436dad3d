"""`python -m gateway`: serve the console API with uvicorn."""

from __future__ import annotations

from gateway.core.config import Settings
from gateway.main import create_app
from t1lib.runtime import serve_http, start_service


def main() -> None:
    settings = start_service(Settings)
    serve_http(create_app(settings), settings.gateway_host, settings.gateway_port)


if __name__ == "__main__":
    main()
