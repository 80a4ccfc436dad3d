"""Kafka → bot → customer: operator replies reach the fake Telegram once per event id, files come from S3,
flood control is waited out, network errors are retried, refusals are dead-lettered."""

from __future__ import annotations

import asyncio
import io
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from minio import Minio

from fakes.telegram import FakeTelegram
from fakes.telegram.media import sample_png
from services.bot import texts
from services.bot.config import BotSettings
from services.bot.service import BotService, build_bot
from t1.tickets.v1 import events_pb2 as tickets_events
from t1.tickets.v1 import ticket_pb2 as tickets
from t1lib.events import new_event
from t1lib.kafka.producer import EventProducer
from t1lib.kafka.topics import TopicRegistry, dlq_topic
from tests.bot.helpers import TopicReader, wait_sent

pytestmark = pytest.mark.integration

CHAT = 6660001
REPLY = "Здравствуйте, Иван! Платёж отклонён банком-эмитентом. Попробуйте ещё раз через 10 минут."


def operator_reply(text: str = REPLY, chat_id: int = CHAT, **fields: Any) -> tickets_events.OperatorReply:
    fields.setdefault("kind", tickets_events.OPERATOR_REPLY_KIND_MESSAGE)
    return new_event(
        tickets_events.OperatorReply,
        ticket_id="ticket-42",
        chat_id=chat_id,
        message_id="message-1",
        operator_id="operator-7",
        text=text,
        language_code=fields.pop("language_code", "ru"),
        **fields,
    )


@pytest.fixture
async def customer(sandbox: httpx.AsyncClient) -> int:
    """A customer who has written to the bot, so the bot may write to them."""
    answer = await sandbox.post(f"/sandbox/chats/{CHAT}", json={"first_name": "Иван", "language_code": "ru"})
    assert answer.status_code == 200
    return CHAT


async def put(s3: Minio, bucket: str, key: str, data: bytes, mime: str) -> None:
    await asyncio.to_thread(s3.put_object, bucket, key, io.BytesIO(data), len(data), content_type=mime)


async def test_text_reply_is_delivered_exactly_once_even_when_redelivered(
    bot: BotService, telegram: FakeTelegram, customer: int, producer: EventProducer
) -> None:
    reply = operator_reply()
    await producer.publish(reply)
    [message] = await wait_sent(telegram, CHAT, 1)
    assert message.method == "sendMessage"
    assert message.text == REPLY
    for _ in range(50):  # the ledger marks the event right after Telegram answered
        if await bot.ledger.is_done(reply.event_id):
            break
        await asyncio.sleep(0.1)
    assert await bot.ledger.is_done(reply.event_id)
    assert await bot.ledger.sent_parts(reply.event_id) == {0: message.message_id}

    await producer.publish(reply)  # the same event again, as after a consumer crash before its commit
    sentinel = operator_reply("Что-нибудь ещё?")
    await producer.publish(sentinel)
    sent = await wait_sent(telegram, CHAT, 2)  # the sentinel comes after the duplicate in the partition
    assert [item.text for item in sent] == [REPLY, "Что-нибудь ещё?"]
    assert len(telegram.state.bot_messages(CHAT)) == 2
    assert len(telegram.state.calls_of("sendMessage", CHAT)) == 2


async def test_photo_and_document_replies_carry_the_bytes_from_s3(
    bot: BotService, telegram: FakeTelegram, customer: int, producer: EventProducer, s3: Minio, bucket: str
) -> None:
    image = sample_png(400, 300, seed=5)
    pdf = b"%PDF-1.4 " + "Договор оферты".encode() * 50
    await put(s3, bucket, "replies/ticket-42/scheme.png", image, "image/png")
    await put(s3, bucket, "replies/ticket-42/offer.pdf", pdf, "application/pdf")
    reply = operator_reply(
        "Схема и договор во вложении",
        attachments=[
            tickets.Attachment(
                id="a1",
                kind=tickets.ATTACHMENT_KIND_PHOTO,
                mime_type="image/png",
                file_name="схема.png",
                size=len(image),
                s3_key="replies/ticket-42/scheme.png",
            ),
            tickets.Attachment(
                id="a2",
                kind=tickets.ATTACHMENT_KIND_DOCUMENT,
                mime_type="application/pdf",
                file_name="договор оферты.pdf",
                size=len(pdf),
                s3_key="replies/ticket-42/offer.pdf",
            ),
        ],
    )
    await producer.publish(reply)
    photo, document = await wait_sent(telegram, CHAT, 2)
    assert photo.method == "sendPhoto"
    assert photo.payload["caption"] == "Схема и договор во вложении"
    assert telegram.state.files[photo.file_ids[0]].data == image
    assert document.method == "sendDocument"
    assert "caption" not in document.payload
    assert document.payload["document"]["file_name"] == "договор оферты.pdf"
    assert telegram.state.files[document.file_ids[0]].data == pdf


async def test_flood_control_is_waited_out_and_network_errors_retried(
    bot: BotService,
    telegram: FakeTelegram,
    sandbox: httpx.AsyncClient,
    customer: int,
    producer: EventProducer,
) -> None:
    await sandbox.post(
        "/sandbox/faults", json={"method": "sendMessage", "kind": "retry_after", "retry_after": 1}
    )
    await sandbox.post("/sandbox/faults", json={"method": "sendMessage", "kind": "drop"})
    await producer.publish(operator_reply())
    [message] = await wait_sent(telegram, CHAT, 1)
    assert message.text == REPLY
    calls = telegram.state.calls_of("sendMessage", CHAT)
    assert [call.status for call in calls] == [429, 0, 200]
    assert calls[1].at - calls[0].at >= 1.0  # waited retry_after before trying again
    # A later reply of the same ticket goes out after any repeat of the first would have.
    await producer.publish(operator_reply("Что-нибудь ещё?"))
    sent = await wait_sent(telegram, CHAT, 2)
    assert [item.text for item in sent] == [REPLY, "Что-нибудь ещё?"]


async def test_ticket_closed_sends_the_closing_text_in_the_customers_language(
    bot: BotService,
    telegram: FakeTelegram,
    sandbox: httpx.AsyncClient,
    customer: int,
    producer: EventProducer,
) -> None:
    closed = tickets_events.OPERATOR_REPLY_KIND_TICKET_CLOSED
    await producer.publish(operator_reply("", kind=closed))
    [russian] = await wait_sent(telegram, CHAT, 1)
    assert russian.text == f"{texts.TICKET_CLOSED['ru']}\n\n{texts.RATE_PROMPT['ru']}"
    assert russian.payload["text"].startswith("Ваше обращение закрыто")
    await sandbox.post(f"/sandbox/chats/{CHAT + 1}", json={"first_name": "John", "language_code": "en"})
    await producer.publish(operator_reply("", chat_id=CHAT + 1, kind=closed, language_code="en"))
    [english] = await wait_sent(telegram, CHAT + 1, 1)
    assert english.text == f"{texts.TICKET_CLOSED['en']}\n\n{texts.RATE_PROMPT['en']}"


async def test_refused_reply_is_dead_lettered_and_later_replies_still_go_out(
    bot: BotService,
    telegram: FakeTelegram,
    customer: int,
    producer: EventProducer,
    registry: TopicRegistry,
    reader_of: Callable[[str], TopicReader],
) -> None:
    unknown_chat = operator_reply("Кому это?", chat_id=999_000_111)
    await producer.publish(unknown_chat)
    await producer.publish(operator_reply())
    [message] = await wait_sent(telegram, CHAT, 1)
    assert message.text == REPLY
    topic = registry.for_message(tickets_events.OperatorReply).name
    [(_key, _value, headers)] = await reader_of(dlq_topic(topic)).take_raw(1)
    assert headers["dlq-reason"] == "rejected"
    assert "Chat not found" in headers["dlq-error"]
    assert headers["event-id"] == unknown_chat.event_id


async def test_a_reply_interrupted_midway_resumes_without_resending_the_sent_part(
    make_settings: Callable[..., BotSettings],
    registry: TopicRegistry,
    telegram: FakeTelegram,
    sandbox: httpx.AsyncClient,
    customer: int,
    producer: EventProducer,
    s3: Minio,
    bucket: str,
) -> None:
    image = sample_png(200, 150, seed=1)
    await put(s3, bucket, "replies/r.png", image, "image/png")
    await put(s3, bucket, "replies/r.txt", "памятка".encode(), "text/plain")
    attachments = [
        tickets.Attachment(kind=tickets.ATTACHMENT_KIND_PHOTO, file_name="r.png", s3_key="replies/r.png"),
        tickets.Attachment(
            kind=tickets.ATTACHMENT_KIND_DOCUMENT, file_name="памятка.txt", s3_key="replies/r.txt"
        ),
    ]
    # The document fails more often than one handler attempt retries, so the consumer retries the event.
    await sandbox.post(
        "/sandbox/faults", json={"method": "sendDocument", "kind": "error", "status": 500, "count": 3}
    )
    settings = make_settings(bot_send_attempts=2)
    async with build_bot(settings, registry).running():
        await producer.publish(operator_reply("См. вложения", attachments=attachments))
        sent = await wait_sent(telegram, CHAT, 2)
    assert [item.method for item in sent] == ["sendPhoto", "sendDocument"]
    assert [call.status for call in telegram.state.calls_of("sendDocument")] == [500, 500, 500, 200]
    assert len(telegram.state.calls_of("sendPhoto")) == 1
    assert telegram.state.files[sent[1].file_ids[0]].data == "памятка".encode()
