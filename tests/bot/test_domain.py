"""The bot's plain functions, without engines: Telegram messages to events, replies to Telegram sends,
retries of Bot API calls, texts and settings."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from telegram import Bot, Message
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TimedOut

from services.bot import customer, ratings, replies, texts
from services.bot.config import BotSettings
from services.bot.incoming import IncomingMessage
from services.bot.telegram_calls import FloodWaitTooLongError, TelegramCaller, is_permanent
from t1.tickets.v1 import events_pb2 as tickets_events
from t1.tickets.v1 import ticket_pb2 as tickets
from t1lib.config import SettingsError, load_settings
from t1lib.errors import PermanentEventError
from t1lib.events import new_event

BOT = Bot("123:TEST")


def message_data(**fields: Any) -> dict[str, Any]:
    return {
        "message_id": 17,
        "date": 1_700_000_000,
        "chat": {"id": 42, "type": "private", "first_name": "Анна"},
        "from": {"id": 42, "is_bot": False, "first_name": "Анна", "last_name": "К.", "language_code": "ru"},
        **fields,
    }


def message(edited: bool = False, **fields: Any) -> IncomingMessage:
    return IncomingMessage.from_api(message_data(**fields), edited=edited)


def photo_size(width: int, unique: str) -> dict[str, Any]:
    return {
        "file_id": f"id-{unique}",
        "file_unique_id": unique,
        "width": width,
        "height": width,
        "file_size": width,
    }


def test_largest_photo_size_is_taken() -> None:
    photo = message(photo=[photo_size(90, "s"), photo_size(1280, "y"), photo_size(320, "m")], caption="чек")
    [ref] = customer.media_of(photo)
    assert (ref.file_id, ref.kind, ref.mime_type, ref.file_name) == (
        "id-y",
        tickets.ATTACHMENT_KIND_PHOTO,
        "image/jpeg",
        "photo_y.jpg",
    )
    assert customer.s3_key(42, 17, ref) == "telegram/42/17/y/photo_y.jpg"


def test_media_kinds_names_and_mime_types() -> None:
    file = {"file_id": "f", "file_unique_id": "u", "file_size": 10}
    document = customer.media_of(message(document={**file, "file_name": "../../etc/выписка.pdf"}))[0]
    assert document.file_name == "_.._etc_выписка.pdf"  # no path separators in S3 keys
    assert document.mime_type == "application/octet-stream"
    voice = customer.media_of(message(voice={**file, "duration": 2, "mime_type": "audio/ogg"}))[0]
    assert (voice.kind, voice.file_name) == (tickets.ATTACHMENT_KIND_VOICE, "voice_u.ogg")
    audio = customer.media_of(message(audio={**file, "duration": 2, "file_name": "song.mp3"}))[0]
    assert (audio.kind, audio.file_name, audio.mime_type) == (
        tickets.ATTACHMENT_KIND_AUDIO,
        "song.mp3",
        "audio/mpeg",
    )
    video = customer.media_of(message(video={**file, "duration": 2, "width": 1, "height": 1}))[0]
    assert (video.kind, video.file_name, video.mime_type) == (
        tickets.ATTACHMENT_KIND_VIDEO,
        "video_u.mp4",
        "video/mp4",
    )
    note = customer.media_of(message(video_note={**file, "duration": 2, "length": 1}))[0]
    assert (note.kind, note.file_name) == (tickets.ATTACHMENT_KIND_VIDEO, "video_note_u.mp4")
    big = customer.media_of(message(document={**file, "file_size": 21 * 1024 * 1024}))[0]
    assert not big.downloadable
    assert not customer.is_supported(message(sticker=None, text="   "))
    assert customer.is_supported(message(text="вопрос"))


def test_ticket_created_from_a_message_and_from_its_edit() -> None:
    text = message(text="Здравствуйте! Где мой заказ?")
    event = customer.ticket_created(text, [])
    assert (event.chat_id, event.telegram_message_id, event.text, event.edited) == (
        42,
        17,
        "Здравствуйте! Где мой заказ?",
        False,
    )
    assert event.customer == tickets.Customer(
        telegram_user_id=42, chat_id=42, first_name="Анна", last_name="К.", language_code="ru"
    )
    assert event.sent_at.seconds == 1_700_000_000
    assert event.event_id
    edit = customer.ticket_created(message(True, text="исправлено", edit_date=1_700_000_100), [])
    assert (edit.edited, edit.sent_at.seconds) == (True, 1_700_000_100)
    ref = customer.MediaRef(tickets.ATTACHMENT_KIND_DOCUMENT, "fid", "uid", "a.pdf", "application/pdf", 5)
    first = customer.attachment(42, 17, ref, key="k", size=5)
    assert first.id == customer.attachment(42, 17, ref, key="k", size=5).id  # stable across retries
    assert first.id != customer.attachment(42, 18, ref, key="k", size=5).id


def test_plain_customer_messages_are_read_without_the_library_and_the_rest_left_to_it() -> None:
    text = customer.plain_customer_message({"update_id": 1, "message": message_data(text="Где мой заказ?")})
    assert text is not None
    assert (text.chat_id, text.message_id, text.text, text.edited) == (42, 17, "Где мой заказ?", False)
    edit = customer.plain_customer_message(
        {"update_id": 2, "edited_message": message_data(text="исправлено", edit_date=1_700_000_100)}
    )
    assert edit is not None
    assert (edit.edited, edit.edit_date) == (True, 1_700_000_100)
    photo_update = {"update_id": 3, "message": message_data(photo=[photo_size(9, "a")])}
    photo = customer.plain_customer_message(photo_update)
    assert photo is not None
    assert [ref.file_id for ref in customer.media_of(photo)] == ["id-a"]
    command = {"type": "bot_command", "offset": 0, "length": 6}
    group = {"id": -5, "type": "group", "title": "g"}
    for update in (
        {"update_id": 4, "message": message_data(text="/start", entities=[command])},
        {"update_id": 5, "message": message_data(text="   ")},
        {"update_id": 6, "message": message_data(sticker={"file_id": "s", "file_unique_id": "s"})},
        {"update_id": 7, "message": message_data(text="всем привет", chat=group)},
        {"update_id": 8, "message": {**message_data(text="без отправителя"), "from": None}},
        {"update_id": 9, "message": message_data(text=42)},  # malformed: the library decides
        {"update_id": 10, "callback_query": {"id": "q"}},
    ):
        assert customer.plain_customer_message(update) is None, update


def test_a_message_reads_the_same_through_the_library() -> None:
    """The library's handlers turn its Message back into an IncomingMessage (commands other than /start
    are customer text): every field the events use must come out as from the JSON directly."""
    data = message_data(
        text="/help мне нужна помощь",
        caption=None,
        edit_date=1_700_000_100,
        document={"file_id": "d", "file_unique_id": "du", "file_size": 5, "file_name": "a.pdf"},
        entities=[{"type": "bot_command", "offset": 0, "length": 5}],
    )
    data["from"]["username"] = "anna"
    parsed = Message.de_json(data, BOT)
    assert parsed is not None
    direct = IncomingMessage.from_api(data, edited=True)
    through = IncomingMessage.from_api(parsed.to_dict(), edited=True)
    assert through == direct
    assert customer.ticket_created(through, []).sent_at.seconds == 1_700_000_100


def reply(**fields: Any) -> tickets_events.OperatorReply:
    fields.setdefault("chat_id", 42)
    fields.setdefault("kind", tickets_events.OPERATOR_REPLY_KIND_MESSAGE)
    return new_event(tickets_events.OperatorReply, ticket_id="t", **fields)


def test_plan_delivery() -> None:
    assert replies.plan_delivery(reply(text="Ответ")) == [replies.TextPart("Ответ")]
    photo = tickets.Attachment(kind=tickets.ATTACHMENT_KIND_PHOTO, mime_type="image/png", s3_key="a", size=10)
    heic = tickets.Attachment(kind=tickets.ATTACHMENT_KIND_PHOTO, mime_type="image/heic", s3_key="b")
    document = tickets.Attachment(kind=tickets.ATTACHMENT_KIND_DOCUMENT, s3_key="c")
    assert replies.plan_delivery(reply(text="см.", attachments=[photo, heic, document])) == [
        replies.FilePart(photo, as_photo=True, caption="см."),
        replies.FilePart(heic, as_photo=False),
        replies.FilePart(document, as_photo=False),
    ]
    long_text = "слово " * 300
    long_plan = replies.plan_delivery(reply(text=long_text, attachments=[document]))
    assert long_plan == [replies.TextPart(long_text.strip()), replies.FilePart(document, as_photo=False)]
    closed_reply = reply(kind=tickets_events.OPERATOR_REPLY_KIND_TICKET_CLOSED, language_code="en")
    closed = replies.plan_delivery(closed_reply)
    assert closed == [
        replies.RatingPart(
            f"{texts.TICKET_CLOSED['en']}\n\n{texts.RATE_PROMPT['en']}", closed_reply.ticket_id
        )
    ]
    with pytest.raises(PermanentEventError):
        replies.plan_delivery(reply(text=""))
    with pytest.raises(PermanentEventError):
        replies.plan_delivery(reply(text="x", chat_id=0))
    with pytest.raises(PermanentEventError):
        replies.plan_delivery(
            reply(text="x", attachments=[tickets.Attachment(kind=tickets.ATTACHMENT_KIND_PHOTO)])
        )


def test_split_text_respects_the_limit_and_word_boundaries() -> None:
    text = ("Абзац номер один. " * 200 + "\n\n") * 3
    pieces = replies.split_text(text)
    assert all(replies.telegram_length(piece) <= replies.TEXT_LIMIT for piece in pieces)
    assert " ".join(" ".join(pieces).split()) == " ".join(text.split())
    emoji = "😀" * 3000  # two UTF-16 units each
    assert [replies.telegram_length(piece) for piece in replies.split_text(emoji)] == [4096, 1904]


async def test_caller_waits_out_flood_control_and_retries_network_errors() -> None:
    slept: list[float] = []

    async def sleep(seconds: float) -> None:
        slept.append(seconds)

    caller = TelegramCaller(attempts=3, backoff_s=0.5, max_retry_after_s=10, sleep=sleep)
    outcomes: list[Exception | str] = [
        RetryAfter(timedelta(seconds=2)),
        TimedOut(),
        NetworkError("reset"),
        "ok",
    ]

    async def request() -> str:
        outcome = outcomes.pop(0)
        if isinstance(outcome, Exception):
            raise outcome
        return outcome

    assert await caller.call("sendMessage", request) == "ok"
    assert slept == [2.0, 0.5, 1.0]

    async def refused() -> str:
        raise BadRequest("Chat not found")

    with pytest.raises(BadRequest):
        await caller.call("sendMessage", refused)
    assert is_permanent(BadRequest("x"))
    assert is_permanent(Forbidden("blocked"))
    assert not is_permanent(TimedOut())
    assert not is_permanent(NetworkError("x"))

    async def flood() -> str:
        raise RetryAfter(timedelta(seconds=60))

    with pytest.raises(FloodWaitTooLongError):
        await caller.call("sendMessage", flood)

    async def down() -> str:
        raise NetworkError("connection refused")

    with pytest.raises(NetworkError):
        await caller.call("sendMessage", down)


def test_languages() -> None:
    assert texts.language_of("en-US") == "en"
    assert (
        texts.language_of("ru")
        == texts.language_of("")
        == texts.language_of(None)
        == texts.language_of("de")
        == "ru"
    )


def test_settings_read_the_telegram_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in (
        "T1_KAFKA_BOOTSTRAP",
        "T1_REDIS_URL",
        "T1_S3_ENDPOINT",
        "T1_S3_ACCESS_KEY",
        "T1_S3_SECRET_KEY",
    ):
        monkeypatch.setenv(name, "x")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN", raising=False)
    monkeypatch.delenv("T1_TELEGRAM_BOT_TOKEN", raising=False)
    with pytest.raises(SettingsError, match="TELEGRAM_BOT_TOKEN is required"):
        load_settings(BotSettings)
    monkeypatch.setenv("TELEGRAM_BOT_TOKEN", "1:abc")
    monkeypatch.setenv("TELEGRAM_API_URL", "http://127.0.0.1:8081/")
    settings = load_settings(BotSettings)
    assert settings.telegram_bot_token.get_secret_value() == "1:abc"
    assert (settings.api_base_url, settings.file_base_url) == (
        "http://127.0.0.1:8081/bot",
        "http://127.0.0.1:8081/file/bot",
    )
    assert (settings.webhook_mode, settings.bot_webhook_port, settings.consumer_group) == (False, 8002, "bot")
    monkeypatch.delenv("TELEGRAM_BOT_TOKEN")
    monkeypatch.delenv("TELEGRAM_API_URL")
    monkeypatch.setenv("T1_TELEGRAM_BOT_TOKEN", "2:def")
    settings = load_settings(BotSettings)
    assert (settings.telegram_bot_token.get_secret_value(), settings.telegram_api_url) == (
        "2:def",
        "https://api.telegram.org",
    )


def test_rating_buttons_carry_their_ticket_and_only_scores_1_to_5_are_read() -> None:
    assert ratings.parse_callback(ratings.callback_data("c0ffee:7", 4)) == ("c0ffee:7", 4)
    for data in ("rate:t:0", "rate:t:6", "rate::3", "rate:t:x", "other:t:3", "", None):
        assert ratings.parse_callback(data) is None, data
    assert len(ratings.callback_data("7b1c2c1e-6f35-4c52-9d0b-2a3b4c5d6e7f", 5).encode()) <= 64
    assert ratings.review_event_id("q1") == ratings.review_event_id("q1") != ratings.review_event_id("q2")


def test_a_new_question_after_a_rating_is_told_from_a_comment() -> None:
    for comment in ("Спасибо, всё отлично", "Оператор Анна очень помогла", "долго ждал ответа", "Great help"):
        assert not ratings.is_new_question(comment, has_files=False), comment
    for question in (
        "Как оформить кредит?",
        "Подскажите часы работы отделения",
        "У меня не проходит платёж",
        "How do I reset my PIN",
        "а вклад можно пополнить?",
    ):
        assert ratings.is_new_question(question, has_files=False), question
    assert ratings.is_new_question("спасибо", has_files=True)
    assert ratings.is_new_question(" ".join(["слово"] * 41), has_files=False)
