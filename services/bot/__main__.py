"""`python -m services.bot`: the Telegram bot (long polling, or a webhook on T1_BOT_WEBHOOK_PORT when
T1_BOT_WEBHOOK_URL is set) and the operator_replies consumer in one process; SIGINT/SIGTERM stop it."""

from __future__ import annotations

import asyncio
import logging
import os

from services.bot.config import BotSettings
from services.bot.service import build_bot
from t1lib.config import load_settings
from t1lib.logs import configure_logging
from t1lib.runtime import run_until_signalled
from t1lib.telemetry import configure_telemetry


def main() -> None:
    # python-telegram-bot's future behaviour: time periods (RetryAfter.retry_after) as timedelta.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    settings = load_settings(BotSettings)
    configure_logging(settings.service_name, settings.log_level, json_output=settings.log_json)
    configure_telemetry(settings.service_name, settings.metrics_port)
    # httpx logs every request URL at INFO, and Bot API URLs contain the bot token.
    logging.getLogger("httpx").setLevel(logging.WARNING)

    async def serve(stop: asyncio.Event) -> None:
        await build_bot(settings).run(stop)

    run_until_signalled(serve)


if __name__ == "__main__":
    main()
