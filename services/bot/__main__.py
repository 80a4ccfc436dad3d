"""`python -m services.bot`: the Telegram bot (long polling, or a webhook on T1_BOT_WEBHOOK_PORT when
T1_BOT_WEBHOOK_URL is set) and the operator_replies consumer in one process; SIGINT/SIGTERM stop it."""

from __future__ import annotations

import asyncio
import os

from services.bot.config import BotSettings
from services.bot.service import build_bot
from t1lib.runtime import run_until_signalled, start_service


def main() -> None:
    # python-telegram-bot's future behaviour: time periods (RetryAfter.retry_after) as timedelta.
    os.environ.setdefault("PTB_TIMEDELTA", "true")
    settings = start_service(BotSettings)

    async def serve(stop: asyncio.Event) -> None:
        await build_bot(settings).run(stop)

    run_until_signalled(serve)


if __name__ == "__main__":
    main()
