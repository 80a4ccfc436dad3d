"""Default answers of the fake when nothing is scripted: deterministic, derived from the prompt, and
plausible enough that a local run (`make up`) shows sensible titles and replies.

- a title request (the system prompt mentions a title: "заголовок", "title") gets a short title built
  from the customer's text: greetings and politeness dropped, the first clause, at most 7 words;
- a reply request ("ответ", "reply", "answer") gets a polite reply that restates the given material;
- anything else gets a short echo of the request."""

from __future__ import annotations

import math
import re

TITLE_WORDS = 7
TITLE_LIMIT = 60

_GREETING = re.compile(
    r"^(здравствуйте|здравствуй|добрый\s+(день|вечер)|доброе\s+утро|доброй\s+ночи|привет(ствую)?|"
    r"hello|hi|hey|good\s+(morning|afternoon|evening)|dear\s+support)\b[\s,!.:;-]*",
    re.IGNORECASE,
)
_FILLER = re.compile(
    r"^(подскажите|скажите|помогите|пожалуйста|извините|уважаемые|у\s+меня|мне|я|please|"
    r"could\s+you|can\s+you|help\s+me|i)\b[\s,!.:;-]*",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"[.!?\n]+")


def is_title_request(system_prompt: str) -> bool:
    lowered = system_prompt.casefold()
    return any(word in lowered for word in ("заголов", "title", "тема обращения"))


def is_reply_request(system_prompt: str) -> bool:
    lowered = system_prompt.casefold()
    return any(word in lowered for word in ("ответ", "reply", "answer", "перепиши", "rewrite"))


def default_answer(system_prompt: str, user_text: str) -> str:
    if is_title_request(system_prompt):
        return title_of(user_text)
    if is_reply_request(system_prompt):
        return reply_of(user_text)
    first = _first_sentence(user_text) or user_text.strip()
    return f"Понял запрос: {first[:200]}" if first else "Пустой запрос."


def title_of(text: str) -> str:
    for sentence in _SENTENCE_END.split(text):
        clause = sentence.strip(" ,;:-—\t")
        previous = None
        while clause and clause != previous:
            previous = clause
            clause = _GREETING.sub("", clause).strip(" ,;:-—")
            clause = _FILLER.sub("", clause).strip(" ,;:-—")
        clause = re.split(r"[,;:(]", clause, maxsplit=1)[0].strip()
        words = clause.split()
        if len(words) < 2:
            continue
        title = " ".join(words[:TITLE_WORDS])
        while len(title) > TITLE_LIMIT and " " in title:
            title = title.rsplit(" ", 1)[0]
        return title[:1].upper() + title[1:]
    return "Обращение клиента"


def reply_of(text: str) -> str:
    body = " ".join(text.split())
    if len(body) > 600:
        body = body[:600].rsplit(" ", 1)[0] + "…"
    return (
        "Здравствуйте! Спасибо, что написали нам.\n\n"
        f"{body}\n\n"
        "Если останутся вопросы, напишите, пожалуйста, — мы поможем."
    )


def token_count(text: str) -> int:
    """A rough token count (about four characters a token), good enough for `usage` and `max_tokens`."""
    return max(1, math.ceil(len(text) / 4)) if text else 0


def cut_to_tokens(text: str, max_tokens: int) -> str:
    return text[: max_tokens * 4]


def _first_sentence(text: str) -> str:
    for sentence in _SENTENCE_END.split(text):
        if sentence.strip():
            return sentence.strip()
    return ""
