"""`python -m services.summarizer`: titles new tickets from chat_title_request until SIGTERM/SIGINT."""

from __future__ import annotations

from services.summarizer.app import build_app
from services.summarizer.config import SummarizerSettings
from t1lib.runtime import run_app, start_service


def main() -> None:
    settings = start_service(SummarizerSettings)

    run_app(lambda: build_app(settings))


if __name__ == "__main__":
    main()
