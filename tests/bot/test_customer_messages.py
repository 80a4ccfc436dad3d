"""Customer → bot → Kafka: messages become TicketCreated on the (prefixed) ticket_created topic, files are
copied into the private S3 bucket first, edits are flagged, /start is answered and not published."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from minio import Minio

from fakes.telegram import FakeTelegram
from fakes.telegram.media import sample_png
from services.bot import texts
from services.bot.service import BotService
from t1.tickets.v1 import events_pb2 as tickets_events
from t1.tickets.v1 import ticket_pb2 as tickets
from t1lib.kafka.topics import TopicRegistry
from tests.bot.helpers import TopicReader, send, tickets_reader, wait_sent

pytestmark = pytest.mark.integration

CHAT = 5550001
RUSSIAN = "Здравствуйте! Не проходит оплата картой «Мир», пишет «операция отклонена» 😕"
PROFILE: dict[str, Any] = {
    "first_name": "Иван",
    "last_name": "Петров",
    "username": "ivan_petrov",
    "language_code": "ru",
}


async def read_object(s3: Minio, bucket: str, key: str) -> bytes:
    def read() -> bytes:
        response = s3.get_object(bucket, key)
        try:
            return bytes(response.read())
        finally:
            response.close()
            response.release_conn()

    return await asyncio.to_thread(read)


async def test_customer_text_becomes_ticket_created(
    bot: BotService,
    sandbox: httpx.AsyncClient,
    registry: TopicRegistry,
    reader_of: Callable[[str], TopicReader],
) -> None:
    sent = await send(sandbox, CHAT, text=RUSSIAN, **PROFILE)
    [(key, event, headers)] = await tickets_reader(reader_of, registry).take(1)
    assert isinstance(event, tickets_events.TicketCreated)
    assert key == str(CHAT)
    assert headers["proto-type"] == "t1.tickets.v1.TicketCreated"
    assert headers["event-id"] == event.event_id
    assert event.text == RUSSIAN
    assert event.chat_id == CHAT
    assert event.telegram_message_id == sent["message_id"]
    assert not event.edited
    assert list(event.attachments) == []
    assert event.customer == tickets.Customer(
        telegram_user_id=CHAT,
        chat_id=CHAT,
        first_name="Иван",
        last_name="Петров",
        username="ivan_petrov",
        language_code="ru",
    )
    assert event.sent_at.seconds == sent["message"]["date"]
    assert abs(event.occurred_at.seconds - time.time()) < 60


async def test_photo_document_and_voice_are_copied_to_s3_before_publishing(
    bot: BotService,
    sandbox: httpx.AsyncClient,
    registry: TopicRegistry,
    reader_of: Callable[[str], TopicReader],
    s3: Minio,
    bucket: str,
) -> None:
    image = sample_png(1000, 700, seed=11)
    pdf = b"%PDF-1.4\n% \xd0\xb2\xd1\x8b\xd0\xbf\xd0\xb8\xd1\x81\xd0\xba\xd0\xb0\n" * 100
    voice = b"OggS\x00\x02" + bytes(range(256)) * 8
    screen = {"file": ("screen.png", image, "image/png")}
    photo = await send(sandbox, CHAT, kind="photo", caption="Скриншот ошибки", files=screen)
    document = await send(
        sandbox, CHAT, kind="document", files={"file": ("выписка по счёту.pdf", pdf, "application/pdf")}
    )
    spoken = await send(
        sandbox, CHAT, kind="voice", duration="3", files={"file": ("voice.ogg", voice, "audio/ogg")}
    )
    events = [event for _key, event, _headers in await tickets_reader(reader_of, registry).take(3)]
    assert all(isinstance(event, tickets_events.TicketCreated) for event in events)
    photo_event, document_event, voice_event = events  # one chat, one partition: in order

    [attachment] = photo_event.attachments  # type: ignore[attr-defined]
    largest = photo["message"]["photo"][-1]
    assert photo_event.text == "Скриншот ошибки"  # type: ignore[attr-defined]
    assert attachment.kind == tickets.ATTACHMENT_KIND_PHOTO
    # Telegram would re-encode a photo to JPEG; the fake keeps the PNG, and the type is read from the bytes.
    assert attachment.mime_type == "image/png"
    assert attachment.telegram_file_id == largest["file_id"]
    assert attachment.size == len(image)
    assert attachment.s3_key == (
        f"telegram/{CHAT}/{photo['message_id']}/{largest['file_unique_id']}/photo_{largest['file_unique_id']}.jpg"
    )
    assert await read_object(s3, bucket, attachment.s3_key) == image

    [attachment] = document_event.attachments  # type: ignore[attr-defined]
    assert attachment.kind == tickets.ATTACHMENT_KIND_DOCUMENT
    assert (attachment.file_name, attachment.mime_type, attachment.size) == (
        "выписка по счёту.pdf",
        "application/pdf",
        len(pdf),
    )
    assert attachment.s3_key.startswith(f"telegram/{CHAT}/{document['message_id']}/")
    assert attachment.s3_key.endswith("/выписка по счёту.pdf")
    assert await read_object(s3, bucket, attachment.s3_key) == pdf

    [attachment] = voice_event.attachments  # type: ignore[attr-defined]
    assert voice_event.telegram_message_id == spoken["message_id"]  # type: ignore[attr-defined]
    assert (attachment.kind, attachment.mime_type) == (tickets.ATTACHMENT_KIND_VOICE, "audio/ogg")
    assert attachment.file_name.endswith(".ogg")
    assert await read_object(s3, bucket, attachment.s3_key) == voice


async def test_edited_message_is_published_with_edited_flag(
    bot: BotService,
    sandbox: httpx.AsyncClient,
    registry: TopicRegistry,
    reader_of: Callable[[str], TopicReader],
) -> None:
    sent = await send(sandbox, CHAT, text="Номер заказа 1234", **PROFILE)
    reader = tickets_reader(reader_of, registry)
    [(_key, original, _headers)] = await reader.take(1)
    answer = await sandbox.post(
        f"/sandbox/chats/{CHAT}/messages/{sent['message_id']}/edit", json={"text": "Номер заказа 12345"}
    )
    edit_date = answer.json()["result"]["message"]["edit_date"]
    [(key, edited, _headers)] = await reader.take(1)
    assert isinstance(original, tickets_events.TicketCreated)
    assert isinstance(edited, tickets_events.TicketCreated)
    assert key == str(CHAT)
    assert not original.edited
    assert edited.edited
    assert edited.text == "Номер заказа 12345"
    assert edited.telegram_message_id == original.telegram_message_id == sent["message_id"]
    assert edited.event_id != original.event_id
    assert edited.sent_at.seconds == edit_date


async def test_start_is_greeted_in_the_customers_language_and_not_published(
    bot: BotService,
    telegram: FakeTelegram,
    sandbox: httpx.AsyncClient,
    registry: TopicRegistry,
    reader_of: Callable[[str], TopicReader],
) -> None:
    await send(sandbox, CHAT, text="/start", **PROFILE)
    [greeting] = await wait_sent(telegram, CHAT, 1)
    assert greeting.text == texts.GREETING["ru"]
    assert greeting.payload["text"].startswith("Здравствуйте!")
    english_chat = CHAT + 1
    await send(sandbox, english_chat, text="/start", first_name="John", language_code="en-GB")
    [english] = await wait_sent(telegram, english_chat, 1)
    assert english.text == texts.GREETING["en"]

    await send(sandbox, CHAT, text="У меня вопрос по тарифу")
    [(_key, event, _headers)] = await tickets_reader(reader_of, registry).take(1)
    assert isinstance(event, tickets_events.TicketCreated)
    assert event.text == "У меня вопрос по тарифу"  # the two /start messages were not published
