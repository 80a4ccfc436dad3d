"""python-telegram-bot's real Bot against the fake: what the bot service relies on works end to end."""

from __future__ import annotations

import warnings
from datetime import timedelta

import httpx
import pytest
import telegram
from telegram.error import BadRequest, EndPointNotFound, Forbidden, InvalidToken, NetworkError, RetryAfter
from telegram.warnings import PTBDeprecationWarning

from fakes.telegram import FakeTelegram
from fakes.telegram.media import sample_png

CHAT = 777001


def bot_for(fake: FakeTelegram, token: str | None = None) -> telegram.Bot:
    return telegram.Bot(token or fake.token, base_url=f"{fake.url}/bot", base_file_url=f"{fake.url}/file/bot")


def seconds(error: RetryAfter) -> float:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = error.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)


async def test_get_me_send_message_and_updates_with_offset(
    fake: FakeTelegram, client: httpx.AsyncClient
) -> None:
    async with bot_for(fake) as bot:
        me = await bot.get_me()
        assert (me.id, me.is_bot, me.username) == (123456789, True, "t1_support_bot")
        await client.post(
            f"/sandbox/chats/{CHAT}/messages",
            json={"text": "Добрый день! Где мой заказ?", "first_name": "Ольга", "language_code": "ru"},
        )
        await client.post(f"/sandbox/chats/{CHAT}/messages", json={"text": "/start"})
        updates = await bot.get_updates(timeout=timedelta(seconds=1))
        assert [update.effective_message.text for update in updates if update.effective_message] == [
            "Добрый день! Где мой заказ?",
            "/start",
        ]
        first = updates[0].message
        assert first is not None
        assert first.from_user is not None
        assert (first.from_user.first_name, first.from_user.language_code, first.chat.type) == (
            "Ольга",
            "ru",
            "private",
        )
        assert updates[1].message is not None
        assert updates[1].message.text == "/start"
        assert updates[1].message.entities[0].type == "bot_command"

        again = await bot.get_updates(offset=updates[-1].update_id + 1, timeout=timedelta(seconds=0))
        assert again == ()
        assert (await client.get("/sandbox/updates")).json()["result"] == []

        sent = await bot.send_message(CHAT, "Здравствуйте, Ольга! Проверяем.")
        assert sent.text == "Здравствуйте, Ольга! Проверяем."
        assert sent.from_user is not None
        assert sent.from_user.is_bot
        assert sent.message_id == 3
        assert len(fake.state.bot_messages(CHAT, "sendMessage")) == 1


async def test_send_photo_bytes_get_file_and_download(fake: FakeTelegram, client: httpx.AsyncClient) -> None:
    image = sample_png(800, 600, seed=9)
    await client.post(f"/sandbox/chats/{CHAT}/messages", json={"text": "жду фото"})
    async with bot_for(fake) as bot:
        message = await bot.send_photo(CHAT, photo=image, caption="Ваш скриншот")
        assert message.caption == "Ваш скриншот"
        largest = message.photo[-1]
        assert (largest.width, largest.height, largest.file_size) == (800, 600, len(image))
        file = await bot.get_file(largest.file_id)
        assert file.file_path is not None
        assert file.file_path.startswith(f"{fake.url}/file/bot{fake.token}/photos/")
        assert bytes(await file.download_as_bytearray()) == image

        document = await bot.send_document(CHAT, document=b"%PDF-1.4 test", filename="акт сверки.pdf")
        assert document.document is not None
        assert (document.document.file_name, document.document.mime_type) == (
            "акт сверки.pdf",
            "application/pdf",
        )
        downloaded = await (await bot.get_file(document.document.file_id)).download_as_bytearray()
        assert bytes(downloaded) == b"%PDF-1.4 test"

    customer = await client.post(
        f"/sandbox/chats/{CHAT}/messages",
        data={"kind": "document", "caption": "договор"},
        files={"file": ("договор.pdf", b"%PDF customer", "application/pdf")},
    )
    file_id = customer.json()["result"]["message"]["document"]["file_id"]
    async with bot_for(fake) as bot:
        assert bytes(await (await bot.get_file(file_id)).download_as_bytearray()) == b"%PDF customer"


async def test_errors_become_the_right_telegram_exceptions(
    fake: FakeTelegram, client: httpx.AsyncClient
) -> None:
    await client.post(f"/sandbox/chats/{CHAT}/messages", json={"text": "привет"})
    async with bot_for(fake) as bot:
        await client.post(
            "/sandbox/faults", json={"method": "sendMessage", "kind": "retry_after", "retry_after": 3}
        )
        with pytest.raises(RetryAfter) as limited:
            await bot.send_message(CHAT, "слишком часто")
        assert seconds(limited.value) == 3
        assert (await bot.send_message(CHAT, "теперь можно")).text == "теперь можно"

        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("sendTelepathy", api_kwargs={"chat_id": CHAT})
        with pytest.raises(BadRequest, match=r"(?i)chat not found"):
            await bot.send_message(999, "кому?")

        await client.post("/sandbox/faults", json={"method": "sendMessage", "kind": "error", "status": 502})
        with pytest.raises(NetworkError):
            await bot.send_message(CHAT, "502")
        await client.post("/sandbox/faults", json={"method": "sendMessage", "kind": "drop"})
        with pytest.raises(NetworkError):
            await bot.send_message(CHAT, "обрыв")

        await client.post(f"/sandbox/chats/{CHAT}/block", json={"blocked": True})
        with pytest.raises(Forbidden, match="bot was blocked by the user"):
            await bot.send_message(CHAT, "вы нас заблокировали")
    with pytest.raises(InvalidToken):
        async with bot_for(fake, token="123:WRONG") as wrong:
            await wrong.get_me()


async def test_edits_buttons_and_callback_answers(fake: FakeTelegram, client: httpx.AsyncClient) -> None:
    await client.post(f"/sandbox/chats/{CHAT}/messages", json={"text": "привет"})
    async with bot_for(fake) as bot:
        keyboard = telegram.InlineKeyboardMarkup(
            [
                [
                    telegram.InlineKeyboardButton("Да", callback_data="yes"),
                    telegram.InlineKeyboardButton("Нет", callback_data="no"),
                ]
            ]
        )
        message = await bot.send_message(CHAT, "Вопрос решён?", reply_markup=keyboard)
        await client.post(f"/sandbox/chats/{CHAT}/messages/{message.message_id}/press", json={"data": "yes"})
        updates = await bot.get_updates(timeout=timedelta(seconds=1))
        query = updates[-1].callback_query
        assert query is not None
        assert query.data == "yes"
        assert await bot.answer_callback_query(query.id, text="Спасибо!")
        edited = await bot.edit_message_text("Спасибо за ответ!", chat_id=CHAT, message_id=message.message_id)
        assert isinstance(edited, telegram.Message)
        assert edited.text == "Спасибо за ответ!"
        assert edited.edit_date is not None
        marked = await bot.edit_message_reply_markup(
            chat_id=CHAT, message_id=message.message_id, reply_markup=keyboard
        )
        assert isinstance(marked, telegram.Message)
        assert marked.reply_markup == keyboard
        assert await bot.send_chat_action(CHAT, "typing")
        info = await bot.get_webhook_info()
        assert info.url == ""
        assert info.pending_update_count >= 1
