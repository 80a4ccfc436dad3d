"""OCR of customers' photos inside message_saver on the real engines: images rendered with Pillow are put
into S3 as the bot does, TicketCreated names them, and the real tesseract reads them."""

from __future__ import annotations

import asyncio
import io
import logging
import os
import re
import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from minio import Minio

from services.message_saver import domain
from services.message_saver.app import App, build_app
from services.message_saver.config import MessageSaverSettings
from services.message_saver.ocr import OcrSetupError
from services.message_saver.ocr_worker import ocr_source
from t1.notifications.v1 import events_pb2 as notifications
from t1.tickets.v1 import events_pb2 as tickets_events
from t1.tickets.v1 import ticket_pb2 as pb
from t1lib.config import S3Settings
from t1lib.stores import ensure_bucket, s3_client
from tests.message_saver.conftest import Harness, customer_message
from tests.message_saver.images import text_image
from tests.support.kafka import Reader
from tests.support.waiting import eventually

pytestmark = pytest.mark.integration

logger = logging.getLogger(__name__)
REPO = Path(__file__).resolve().parents[2]

RUSSIAN = "Ошибка оплаты: карта заблокирована"
ENGLISH = "Payment declined"
RUSSIAN_WORDS = {"ошибка", "оплаты", "карта", "заблокирована"}
ENGLISH_WORDS = {"payment", "declined"}
OCR_TIMEOUT_S = 90


def words(text: str) -> set[str]:
    return set(re.findall(r"\w+", text.lower()))


@pytest.fixture
def s3(engines: dict[str, str]) -> Minio:
    return s3_client(S3Settings())


@pytest.fixture
async def bucket(s3: Minio) -> AsyncIterator[str]:
    name = f"test-ocr-{uuid.uuid4().hex[:10]}"
    await ensure_bucket(s3, name)
    yield name

    def drop() -> None:
        for item in s3.list_objects(name, recursive=True):
            s3.remove_object(name, str(item.object_name))
        s3.remove_bucket(name)

    await asyncio.to_thread(drop)


@pytest.fixture
def settings(settings: MessageSaverSettings, bucket: str) -> MessageSaverSettings:
    """The harness's settings, reading this test's bucket, patient enough to wait for the intake."""
    return settings.model_copy(
        update={
            "s3_bucket": bucket,
            "kafka_max_attempts": 60,
            "kafka_retry_backoff_max_s": 0.5,
            "ocr_missing_object_attempts": 3,
            "ocr_timeout_s": 90.0,  # a loaded CI box must not turn a slow page into a timeout
        }
    )


@dataclass
class OcrEvents:
    """What message_saver published on ocr_processed, read from the beginning of the topic."""

    reader: Reader
    topic: str

    def __call__(self) -> list[tickets_events.OcrProcessed]:
        events = [record.event for record in self.reader.records(self.topic)]
        return [event for event in events if isinstance(event, tickets_events.OcrProcessed)]


@pytest.fixture
def processed(harness: Harness) -> Iterator[OcrEvents]:
    topic = harness.topic(tickets_events.OcrProcessed)
    reader = Reader(harness.bootstrap, harness.registry, [topic])
    yield OcrEvents(reader, topic)
    reader.close()


async def put(s3: Minio, bucket: str, key: str, data: bytes, content_type: str = "image/jpeg") -> None:
    await asyncio.to_thread(
        s3.put_object, bucket, key, io.BytesIO(data), len(data), content_type=content_type
    )


def photo(key: str, size: int, attachment_id: str = "") -> pb.Attachment:
    return pb.Attachment(
        id=attachment_id or f"att-{uuid.uuid4().hex[:8]}",
        kind=pb.ATTACHMENT_KIND_PHOTO,
        mime_type="image/jpeg",
        file_name=key.rsplit("/", 1)[-1],
        size=size,
        s3_key=key,
    )


async def stored_message(harness: Harness, chat_id: int, telegram_message_id: int) -> dict[str, Any]:
    message = await harness.db["messages"].find_one(
        {"_id": domain.customer_message_id(chat_id, telegram_message_id)}
    )
    assert message is not None
    return message


def updates_of(harness: Harness, message_id: str) -> list[notifications.WebsocketNotification]:
    return [update for update in harness.notifications("message.updated") if update.message.id == message_id]


async def test_text_on_photos_and_image_documents_is_stored_and_announced(
    harness: Harness, app: App, processed: OcrEvents, s3: Minio, bucket: str
) -> None:
    russian = text_image([RUSSIAN], image_format="JPEG")
    english = text_image([ENGLISH], image_format="PNG")
    await put(s3, bucket, "telegram/901/1/ru/photo.jpg", russian)
    await put(s3, bucket, "telegram/901/1/en/screen.png", english, "image/png")
    attachments = (
        photo("telegram/901/1/ru/photo.jpg", len(russian), "att-ru"),
        pb.Attachment(
            id="att-en",
            kind=pb.ATTACHMENT_KIND_DOCUMENT,
            mime_type="image/png",
            file_name="screen.png",
            size=len(english),
            s3_key="telegram/901/1/en/screen.png",
        ),
        # Not an image: never read from S3 (there is no such object) and never OCR'd.
        pb.Attachment(
            id="att-pdf",
            kind=pb.ATTACHMENT_KIND_DOCUMENT,
            mime_type="application/pdf",
            file_name="statement.pdf",
            size=100,
            s3_key="telegram/901/1/pdf/statement.pdf",
        ),
    )
    started = time.monotonic()
    await harness.send(customer_message(901, 1, "Вот скриншоты", attachments=attachments))
    await eventually(lambda: len(processed()) == 2, OCR_TIMEOUT_S, "two ocr_processed events")
    logger.warning("two images OCR'd %.2f s after the event was published", time.monotonic() - started)

    message = await stored_message(harness, 901, 1)
    by_id = {attachment["id"]: attachment for attachment in message["attachments"]}
    assert words(by_id["att-ru"]["ocr_text"]) >= RUSSIAN_WORDS, by_id["att-ru"]["ocr_text"]
    assert words(by_id["att-en"]["ocr_text"]) >= ENGLISH_WORDS, by_id["att-en"]["ocr_text"]
    assert by_id["att-ru"]["ocr_outcome"] == by_id["att-en"]["ocr_outcome"] == "text"
    assert by_id["att-ru"]["ocr_languages"] == "rus+eng"
    assert by_id["att-pdf"]["ocr_text"] == ""
    assert "ocr_at" not in by_id["att-pdf"]
    assert message["text"] == "Вот скриншоты"  # the caption is untouched

    events = {event.attachment_id: event for event in processed()}
    assert set(events) == {"att-ru", "att-en"}
    for attachment_id, event in events.items():
        assert event.message_id == message["_id"]
        assert event.ticket_id == message["ticket_id"]
        assert event.languages == "rus+eng"
        assert event.text == by_id[attachment_id]["ocr_text"]
        source = ocr_source(message["_id"], by_id[attachment_id])
        assert event.event_id == domain.event_id_for(source, "ocr_processed")

    # Operators see the text under the photo: message.updated with the whole message, once per image.
    await eventually(lambda: len(updates_of(harness, message["_id"])) == 2, what="two message.updated")
    latest = updates_of(harness, message["_id"])[-1]
    assert latest.ticket.id == message["ticket_id"]
    texts = {attachment.id: attachment.ocr_text for attachment in latest.message.attachments}
    assert texts == {attachment_id: by_id[attachment_id]["ocr_text"] for attachment_id in by_id}
    assert harness.dead_letters(tickets_events.TicketCreated) == []


async def test_a_photo_that_opens_a_ticket_asks_for_a_title_from_its_text(
    harness: Harness, app: App, processed: OcrEvents, s3: Minio, bucket: str
) -> None:
    image = text_image([RUSSIAN])
    await put(s3, bucket, "telegram/905/1/a/photo.jpg", image)
    await put(s3, bucket, "telegram/905/2/b/photo.jpg", image)
    await harness.send(
        customer_message(905, 1, "", attachments=(photo("telegram/905/1/a/photo.jpg", len(image), "att-a"),)),
        customer_message(905, 2, "", attachments=(photo("telegram/905/2/b/photo.jpg", len(image), "att-b"),)),
    )
    await eventually(lambda: len(processed()) == 2, OCR_TIMEOUT_S, "two ocr_processed events")
    first = await stored_message(harness, 905, 1)
    text = first["attachments"][0]["ocr_text"]
    assert words(text) >= RUSSIAN_WORDS

    def requests() -> list[Any]:
        return [request for request in harness.title_requests() if request.ticket_id == first["ticket_id"]]

    await eventually(lambda: len(requests()) == 2, what="the photo's title request")
    opened, from_text = requests()
    assert list(opened.messages) != [text]  # at intake: what the message carries
    assert list(from_text.messages) == [text]
    assert from_text.event_id == domain.event_id_for(
        ocr_source(first["_id"], first["attachments"][0]), "chat_title_request"
    )
    # The second photo did not open the ticket: no request for it. A third, captioned photo of the same
    # chat is handled after the second one's work (title request included) is done: once its
    # ocr_processed is out, a request for the second photo would have been published already.
    await put(s3, bucket, "telegram/905/3/c/photo.jpg", image)
    await harness.send(
        customer_message(
            905, 3, "и ещё", attachments=(photo("telegram/905/3/c/photo.jpg", len(image), "att-c"),)
        )
    )
    await eventually(lambda: len(processed()) == 3, OCR_TIMEOUT_S, "the third ocr_processed event")
    assert len(requests()) == 2


async def test_a_photo_that_is_not_an_image_gets_empty_text(
    harness: Harness, app: App, processed: OcrEvents, s3: Minio, bucket: str, tmp_path: Path
) -> None:
    garbage = b"definitely not a JPEG"
    await put(s3, bucket, "telegram/902/1/x/photo.jpg", garbage)
    # A "photo" that lists a file of this machine: tesseract would OCR that file if it were given this.
    secret = tmp_path / "secret.png"
    secret.write_bytes(text_image(["TOP SECRET"], image_format="PNG"))
    listing = f"{secret}\n".encode()
    await put(s3, bucket, "telegram/902/2/x/photo.jpg", listing)
    readable = text_image([ENGLISH])
    await put(s3, bucket, "telegram/902/3/x/photo.jpg", readable)
    await harness.send(
        customer_message(902, 1, "", attachments=(photo("telegram/902/1/x/photo.jpg", len(garbage)),)),
        customer_message(902, 2, "", attachments=(photo("telegram/902/2/x/photo.jpg", len(listing)),)),
        customer_message(902, 3, "", attachments=(photo("telegram/902/3/x/photo.jpg", len(readable)),)),
    )
    await eventually(lambda: len(processed()) == 3, OCR_TIMEOUT_S, "three ocr_processed events")

    by_message = {event.message_id: event for event in processed()}
    for telegram_message_id in (1, 2):
        message = await stored_message(harness, 902, telegram_message_id)
        [attachment] = message["attachments"]
        assert (attachment["ocr_text"], attachment["ocr_outcome"]) == ("", "not_image")
        assert by_message[message["_id"]].text == ""
        assert updates_of(harness, message["_id"]) == []  # nothing to show under the photo
    third = await stored_message(harness, 902, 3)
    assert words(third["attachments"][0]["ocr_text"]) >= ENGLISH_WORDS
    assert "secret" not in str(by_message).lower()
    await eventually(lambda: len(updates_of(harness, third["_id"])) == 1, what="message.updated of the photo")
    assert harness.dead_letters(tickets_events.TicketCreated) == []


async def test_redelivery_announces_again_under_the_same_ids_without_running_ocr_again(
    harness: Harness, app: App, processed: OcrEvents, s3: Minio, bucket: str
) -> None:
    image = text_image([RUSSIAN])
    await put(s3, bucket, "telegram/903/1/x/photo.jpg", image)
    event = customer_message(903, 1, "", attachments=(photo("telegram/903/1/x/photo.jpg", len(image)),))
    await harness.send(event)
    await eventually(lambda: len(processed()) == 1, OCR_TIMEOUT_S, "ocr_processed")
    first = await stored_message(harness, 903, 1)

    await harness.send(event)  # the same record again, as after a crash before its offset was stored
    await eventually(lambda: len(processed()) == 2, OCR_TIMEOUT_S, "the repeated ocr_processed")
    again = await stored_message(harness, 903, 1)
    assert again["attachments"][0]["ocr_at"] == first["attachments"][0]["ocr_at"], "OCR ran again"
    assert len({event.event_id for event in processed()}) == 1
    assert len({event.text for event in processed()}) == 1
    await eventually(lambda: len(updates_of(harness, first["_id"])) == 2, what="the repeated message.updated")
    assert len({update.event_id for update in updates_of(harness, first["_id"])}) == 1


async def test_an_edit_that_resets_the_photo_gets_its_text_back(
    harness: Harness, app: App, processed: OcrEvents, s3: Minio, bucket: str
) -> None:
    image = text_image([ENGLISH])
    await put(s3, bucket, "telegram/904/1/x/photo.jpg", image)
    attachment = photo("telegram/904/1/x/photo.jpg", len(image), "att-904")
    await harness.send(customer_message(904, 1, "Было", attachments=(attachment,)))
    await eventually(lambda: len(processed()) == 1, OCR_TIMEOUT_S, "ocr_processed")
    message_id = domain.customer_message_id(904, 1)
    await eventually(lambda: len(updates_of(harness, message_id)) == 1, what="message.updated after OCR")

    # A caption edit carries the photo again: the intake stores it as sent (no text), OCR fills it in again.
    await harness.send(customer_message(904, 1, "Стало", edited=True, attachments=(attachment,)))

    def text_updates() -> list[notifications.WebsocketNotification]:
        return [
            update
            for update in updates_of(harness, message_id)
            if update.message.text == "Стало" and update.message.attachments[0].ocr_text
        ]

    await eventually(lambda: len(text_updates()) == 1, OCR_TIMEOUT_S, "the edited message with its text")
    message = await stored_message(harness, 904, 1)
    assert message["text"] == "Стало"
    assert words(message["attachments"][0]["ocr_text"]) >= ENGLISH_WORDS
    assert len({update.event_id for update in updates_of(harness, message_id)}) == len(
        updates_of(harness, message_id)
    )
    await eventually(lambda: len(processed()) == 2, what="ocr_processed of the edit")
    assert len({event.event_id for event in processed()}) == 1  # the same file: the same result


async def test_the_intake_does_not_wait_for_ocr(
    harness: Harness, app: App, processed: OcrEvents, s3: Minio, bucket: str
) -> None:
    lines = [f"{number:02d}. {RUSSIAN}. {ENGLISH}, please call the bank." for number in range(20)]
    page = text_image(lines, font_size=28, line_gap=14)
    await put(s3, bucket, "telegram/905/1/x/page.jpg", page)
    await harness.send(
        customer_message(905, 1, "", attachments=(photo("telegram/905/1/x/page.jpg", len(page)),)),
        customer_message(905, 2, "Сообщение после фото"),
    )
    await eventually(lambda: len(processed()) == 1, OCR_TIMEOUT_S, "ocr_processed of the page")
    photo_message = await stored_message(harness, 905, 1)
    text_message = await stored_message(harness, 905, 2)
    ocr_at = photo_message["attachments"][0]["ocr_at"]
    logger.warning(
        "page of %d lines: stored %s, text message stored %s, OCR stored %s (%.2f s after the photo)",
        len(lines),
        photo_message["stored_at"],
        text_message["stored_at"],
        ocr_at,
        (ocr_at - photo_message["stored_at"]).total_seconds(),
    )
    assert text_message["stored_at"] < ocr_at, "the text message waited for OCR of the photo before it"
    assert words(photo_message["attachments"][0]["ocr_text"]) >= RUSSIAN_WORDS, photo_message["attachments"]
    # On the ticket's partition the text message was announced before the photo's text.
    await eventually(lambda: len(updates_of(harness, photo_message["_id"])) == 1, what="the photo's update")
    order = [
        (update.type, update.message.id)
        for update in harness.notifications()
        if update.type in ("message.created", "message.updated")
    ]
    assert order.index(("message.created", text_message["_id"])) < order.index(
        ("message.updated", photo_message["_id"])
    )


async def test_a_missing_object_goes_to_the_dead_letter_topic(
    harness: Harness, app: App, processed: OcrEvents, settings: MessageSaverSettings
) -> None:
    await harness.send(
        customer_message(906, 1, "Фото", attachments=(photo("telegram/906/1/x/gone.jpg", 10),))
    )
    await eventually(lambda: len(harness.dead_letters(tickets_events.TicketCreated)) == 1, OCR_TIMEOUT_S)
    [dead] = harness.dead_letters(tickets_events.TicketCreated)
    assert dead.headers["dlq-consumer-group"] == settings.ocr_group
    assert dead.headers["dlq-reason"] == "rejected"
    assert "telegram/906/1/x/gone.jpg" in dead.headers["dlq-error"]
    message = await stored_message(harness, 906, 1)  # the intake stored the message all the same
    assert message["attachments"][0]["ocr_text"] == ""
    assert "ocr_at" not in message["attachments"][0]
    assert processed() == []


async def test_ocr_can_be_turned_off_and_needs_tesseract_and_s3_when_on(
    harness: Harness, settings: MessageSaverSettings
) -> None:
    off = settings.model_copy(update={"ocr_enabled": False, "s3_endpoint": ""})
    app = await build_app(off, harness.registry)
    assert app.ocr_consumer is None
    await app.stop()

    with pytest.raises(OcrSetupError, match="T1_S3_ENDPOINT"):
        await build_app(settings.model_copy(update={"s3_endpoint": ""}), harness.registry)
    with pytest.raises(
        OcrSetupError, match="apt-get install tesseract-ocr tesseract-ocr-rus tesseract-ocr-eng"
    ):
        await build_app(
            settings.model_copy(update={"ocr_tesseract": "/nonexistent/tesseract"}), harness.registry
        )
    with pytest.raises(OcrSetupError, match="tesseract-ocr-xyz"):
        await build_app(settings.model_copy(update={"ocr_languages": "rus+xyz"}), harness.registry)


def test_the_process_names_the_packages_when_tesseract_is_missing(engines: dict[str, str]) -> None:
    env = {**os.environ, "T1_OCR_TESSERACT": "/nonexistent/tesseract", "T1_GRPC_PORT": "0"}
    result = subprocess.run(
        [sys.executable, "-m", "services.message_saver"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode != 0
    assert "message_saver cannot start" in result.stderr
    assert "apt-get install tesseract-ocr tesseract-ocr-rus tesseract-ocr-eng" in result.stderr
    assert "Traceback" not in result.stderr
