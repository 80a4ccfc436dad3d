"""`python -m services.message_saver`: the TicketService gRPC server and the Kafka intake in one process."""

from __future__ import annotations

from services.message_saver.app import build_app
from services.message_saver.config import MessageSaverSettings
from services.message_saver.ocr import OcrSetupError
from t1lib.runtime import run_app, start_service


def main() -> None:
    settings = start_service(MessageSaverSettings)

    try:
        run_app(lambda: build_app(settings))
    except OcrSetupError as error:  # tesseract, a language model or the S3 settings missing
        raise SystemExit(f"message_saver cannot start: {error}") from None


if __name__ == "__main__":
    main()
