"""A fake Telegram Bot API server: the real HTTP API (getUpdates, webhooks, sendMessage, sendPhoto, files, …)
over an in-memory state, a sandbox API under /sandbox/ to play the customer and inject faults, and a web page
at / where a person can chat with the bot.

    python -m fakes.telegram --host 127.0.0.1 --port 8081

In tests:

    async with FakeTelegram() as fake:
        bot = telegram.Bot(fake.token, base_url=fake.api_base_url, base_file_url=fake.file_base_url)
"""

from fakes.telegram.server import DEFAULT_TOKEN, FakeTelegram
from fakes.telegram.state import ApiError, Fault, StoredMessage, TelegramState, Upload

__all__ = ["DEFAULT_TOKEN", "ApiError", "FakeTelegram", "Fault", "StoredMessage", "TelegramState", "Upload"]
