"""python -m fakes.telegram [--host 127.0.0.1] [--port 8081] [--token TOKEN]: run the fake Bot API server.

Open http://HOST:PORT/ to play the customer; point the bot at it with
TELEGRAM_API_URL=http://HOST:PORT and TELEGRAM_BOT_TOKEN=TOKEN."""

from __future__ import annotations

import argparse
import asyncio
import os
import sys

from fakes.telegram.server import DEFAULT_TOKEN, FakeTelegram
from t1lib.runtime import run_until_signalled

# A long-running sandbox (make up, make bench) must not grow without bound: measured ~1.9 KB per short text
# message, so 50k messages is ~100 MB.
DEFAULT_MESSAGE_LIMIT = 50_000


async def serve(args: argparse.Namespace, stop: asyncio.Event) -> None:
    fake = FakeTelegram(
        token=args.token,
        host=args.host,
        port=args.port,
        bot_username=args.username,
        bot_first_name=args.name,
        log_level=args.log_level,
        message_limit=args.message_limit or None,
    )
    await fake.start()
    print(
        f"Fake Telegram Bot API on {fake.url}\n"
        f"  customer page: {fake.url}/\n"
        f"  bot token:     {fake.token}\n"
        f"  for the bot:   TELEGRAM_API_URL={fake.url} TELEGRAM_BOT_TOKEN={fake.token}\n"
        f"  sandbox API:   {fake.url}/sandbox/chats",
        flush=True,
    )
    await stop.wait()
    await fake.stop()


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m fakes.telegram", description=__doc__)
    parser.add_argument("--host", default=os.environ.get("FAKE_TELEGRAM_HOST", "127.0.0.1"))
    parser.add_argument("--port", type=int, default=int(os.environ.get("FAKE_TELEGRAM_PORT", "8081")))
    parser.add_argument("--token", default=os.environ.get("FAKE_TELEGRAM_TOKEN", DEFAULT_TOKEN))
    parser.add_argument("--username", default="t1_support_bot", help="the bot's @username")
    parser.add_argument("--name", default="T1 Support", help="the bot's first_name")
    parser.add_argument(
        "--message-limit",
        type=int,
        default=int(os.environ.get("FAKE_TELEGRAM_MESSAGE_LIMIT", str(DEFAULT_MESSAGE_LIMIT))),
        help="keep only the newest N messages in memory, oldest forgotten first (0: keep all)",
    )
    parser.add_argument(
        "--log-level", default="info", choices=["critical", "error", "warning", "info", "debug"]
    )
    args = parser.parse_args(argv)
    run_until_signalled(lambda stop: serve(args, stop))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
