"""What the bot itself says to customers, in Russian first and in English for English-speaking clients."""

from __future__ import annotations

from typing import Literal

Language = Literal["ru", "en"]

GREETING: dict[Language, str] = {
    "ru": (
        "Здравствуйте! Это служба поддержки T1.\n"
        "Опишите ваш вопрос — можно приложить фото, документ или голосовое сообщение. "
        "Оператор ответит здесь же, в этом чате."
    ),
    "en": (
        "Hello! This is T1 support.\n"
        "Describe your question — you can attach a photo, a document or a voice message. "
        "An operator will reply right here, in this chat."
    ),
}

TICKET_CLOSED: dict[Language, str] = {
    "ru": (
        "Ваше обращение закрыто. Спасибо, что обратились в поддержку T1!\n"
        "Если вопрос остался, просто напишите сюда — мы откроем новое обращение."
    ),
    "en": (
        "Your request is closed. Thank you for contacting T1 support!\n"
        "If you still need help, just write here and we will open a new request."
    ),
}

RATE_PROMPT: dict[Language, str] = {
    "ru": "Оцените, пожалуйста, помощь от 1 до 5 (5 — отлично).",
    "en": "Please rate the help from 1 to 5 (5 is excellent).",
}

RATED: dict[Language, str] = {
    "ru": "Спасибо за оценку: {score}",
    "en": "Thank you for your rating: {score}",
}

COMMENT_INVITE: dict[Language, str] = {
    "ru": "Если хотите, добавьте комментарий одним сообщением.",
    "en": "If you like, add a comment in one message.",
}

COMMENT_THANKS: dict[Language, str] = {
    "ru": "Спасибо за отзыв! Он поможет нам работать лучше.",
    "en": "Thank you for your feedback! It helps us do better.",
}

RATING_EXPIRED: dict[Language, str] = {
    "ru": "Спасибо! Оценку этого обращения уже нельзя изменить: прошло больше 7 дней.",
    "en": "Thank you! This request can no longer be rated: more than 7 days have passed.",
}

UNSUPPORTED: dict[Language, str] = {
    "ru": "Я принимаю текст, фото, документы, голосовые сообщения, аудио и видео. "
    "Пожалуйста, отправьте вопрос так.",
    "en": "I accept text, photos, documents, voice messages, audio and video. "
    "Please send your question that way.",
}

NOT_ACCEPTED: dict[Language, str] = {
    "ru": "Не удалось принять сообщение из-за технической ошибки. "
    "Пожалуйста, отправьте его ещё раз чуть позже.",
    "en": "Your message could not be accepted because of a technical error. "
    "Please send it again a bit later.",
}


def language_of(language_code: str | None) -> Language:
    """English for clients whose language code starts with "en", Russian for everyone else."""
    return "en" if (language_code or "").lower().startswith("en") else "ru"


def text_for(table: dict[Language, str], language_code: str | None) -> str:
    return table[language_of(language_code)]
