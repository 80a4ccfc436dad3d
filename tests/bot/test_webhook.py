"""Webhook mode: the bot registers its URL and secret with Telegram, takes updates Telegram POSTs with the
secret, and refuses (403) anything without it, publishing nothing for it."""

from __future__ import annotations

import socket
from collections.abc import Callable

import httpx
import pytest

from fakes.telegram import FakeTelegram
from services.bot.config import BotSettings
from services.bot.service import build_bot
from t1.tickets.v1 import events_pb2 as tickets_events
from t1lib.kafka.topics import TopicRegistry
from tests.bot.helpers import TopicReader

pytestmark = pytest.mark.integration

CHAT = 7770001
SECRET = "webhook-Secret_42"


def forged_update(text: str) -> dict[str, object]:
    user = {"id": CHAT, "is_bot": False, "first_name": "Мошенник"}
    return {
        "update_id": 1,
        "message": {
            "message_id": 1,
            "date": 1_700_000_000,
            "chat": {"id": CHAT, "type": "private", "first_name": "Мошенник"},
            "from": user,
            "text": text,
        },
    }


async def test_webhook_rejects_a_wrong_secret_and_accepts_telegrams_updates(
    make_settings: Callable[..., BotSettings],
    registry: TopicRegistry,
    telegram: FakeTelegram,
    sandbox: httpx.AsyncClient,
    reader_of: Callable[[str], TopicReader],
) -> None:
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    url = f"http://127.0.0.1:{sock.getsockname()[1]}/telegram/webhook"
    settings = make_settings(bot_webhook_url=url, bot_webhook_secret=SECRET)
    async with build_bot(settings, registry, webhook_socket=sock).running(), httpx.AsyncClient() as client:
        assert telegram.state.webhook is not None
        assert (telegram.state.webhook.url, telegram.state.webhook.secret_token) == (url, SECRET)

        wrong = await client.post(
            url, json=forged_update("подделка 1"), headers={"X-Telegram-Bot-Api-Secret-Token": "guess"}
        )
        missing = await client.post(url, json=forged_update("подделка 2"))
        assert (wrong.status_code, missing.status_code) == (403, 403)

        answer = await sandbox.post(f"/sandbox/chats/{CHAT}/messages", json={"text": "Настоящий вопрос"})
        assert answer.status_code == 200
        [(_key, event, _headers)] = await reader_of(
            registry.for_message(tickets_events.TicketCreated).name
        ).take(1)
        assert isinstance(event, tickets_events.TicketCreated)
        assert event.text == "Настоящий вопрос"  # the forged updates, sent first, were never published
        assert telegram.state.calls_of("getUpdates") == []
        assert telegram.state.webhook.last_error_message is None
        assert (await client.get(url.replace("/telegram/webhook", "/healthz"))).status_code == 200
