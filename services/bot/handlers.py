"""python-telegram-bot handlers: thin adapters from updates to the greeting and to CustomerIngest. Plain
customer messages arrive already read (`IncomingMessage`, see services.bot.polling); the library's own
updates (commands, unsupported content, webhook updates) go through its filters as before."""

from __future__ import annotations

import logging
from typing import Any

from telegram import Update
from telegram.ext import (
    BaseHandler,
    CallbackQueryHandler,
    CommandHandler,
    ContextTypes,
    MessageHandler,
    TypeHandler,
    filters,
)

from services.bot import customer, texts
from services.bot.incoming import IncomingMessage
from services.bot.ingest import CustomerIngest
from services.bot.ratings import CALLBACK_PATTERN, RatingDesk
from services.bot.telegram_calls import TelegramCaller

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
PRIVATE = filters.ChatType.PRIVATE
CONTENT = (
    filters.TEXT
    | filters.CAPTION
    | filters.PHOTO
    | filters.Document.ALL
    | filters.VOICE
    | filters.AUDIO
    | filters.VIDEO
    | filters.VIDEO_NOTE
)


def build_handlers(
    ingest: CustomerIngest, caller: TelegramCaller, ratings: RatingDesk
) -> list[BaseHandler[Any, ContextTypes.DEFAULT_TYPE, None]]:
    async def reply(update: Update, text: str) -> None:
        message = update.effective_message
        if message is not None:
            await caller.call("sendMessage", lambda: message.reply_text(text))

    async def take(message: IncomingMessage, context: ContextTypes.DEFAULT_TYPE) -> None:
        """Publish a customer's message (or the comment to a rating it is); tell the customer when it could
        not be accepted."""
        try:
            if await ratings.take_comment(context.bot, message):
                return
        except Exception:  # the comment could not be kept: the message goes on as any other, not lost
            logger.exception("rating comment not published", extra={"fields": {"chat_id": message.chat_id}})
        try:
            await ingest.ingest(context.bot, message)
        except Exception:
            logger.exception(
                "customer message not accepted",
                extra={"fields": {"chat_id": message.chat_id, "telegram_message_id": message.message_id}},
            )
            language = message.sender.language_code if message.sender else None
            text = texts.text_for(texts.NOT_ACCEPTED, language)
            await caller.call("sendMessage", lambda: context.bot.send_message(message.chat_id, text))

    async def on_start(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        await reply(update, texts.text_for(texts.GREETING, user.language_code if user else None))

    async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.edited_message or update.message
        if message is None:
            return
        incoming = IncomingMessage.from_api(message.to_dict(), edited=update.edited_message is not None)
        if not customer.is_supported(incoming):
            await on_unsupported(update, context)
            return
        await take(incoming, context)

    async def on_unsupported(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.edited_message is not None:
            return
        user = update.effective_user
        await reply(update, texts.text_for(texts.UNSUPPORTED, user.language_code if user else None))

    return [
        TypeHandler(IncomingMessage, take),
        CallbackQueryHandler(ratings.on_press, pattern=CALLBACK_PATTERN),
        CommandHandler("start", on_start, filters=PRIVATE & filters.UpdateType.MESSAGE),
        MessageHandler(
            PRIVATE & CONTENT & (filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE), on_message
        ),
        MessageHandler(PRIVATE & filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL, on_unsupported),
    ]


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    logger.error("update handling failed", exc_info=context.error)
