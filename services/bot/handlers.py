"""python-telegram-bot handlers: thin adapters from updates to the greeting and to CustomerIngest."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.ext import BaseHandler, CommandHandler, ContextTypes, MessageHandler, filters

from services.bot import customer, texts
from services.bot.ingest import CustomerIngest
from services.bot.telegram_calls import TelegramCaller

logger = logging.getLogger(__name__)

ALLOWED_UPDATES = ["message", "edited_message"]
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
    ingest: CustomerIngest, caller: TelegramCaller
) -> list[BaseHandler[Update, ContextTypes.DEFAULT_TYPE, None]]:
    async def reply(update: Update, text: str) -> None:
        message = update.effective_message
        if message is not None:
            await caller.call("sendMessage", lambda: message.reply_text(text))

    async def on_start(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        await reply(update, texts.text_for(texts.GREETING, user.language_code if user else None))

    async def on_message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        message = update.edited_message or update.message
        if message is None:
            return
        if not customer.is_supported(message):
            await on_unsupported(update, context)
            return
        try:
            await ingest.ingest(context.bot, message, edited=update.edited_message is not None)
        except Exception:
            logger.exception(
                "customer message not accepted",
                extra={"fields": {"update": update.to_dict()}},
            )
            user = update.effective_user
            await reply(update, texts.text_for(texts.NOT_ACCEPTED, user.language_code if user else None))

    async def on_unsupported(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
        if update.edited_message is not None:
            return
        user = update.effective_user
        await reply(update, texts.text_for(texts.UNSUPPORTED, user.language_code if user else None))

    return [
        CommandHandler("start", on_start, filters=PRIVATE & filters.UpdateType.MESSAGE),
        MessageHandler(
            PRIVATE & CONTENT & (filters.UpdateType.MESSAGE | filters.UpdateType.EDITED_MESSAGE), on_message
        ),
        MessageHandler(PRIVATE & filters.UpdateType.MESSAGE & ~filters.StatusUpdate.ALL, on_unsupported),
    ]


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    logger.error("update handling failed", exc_info=context.error)
