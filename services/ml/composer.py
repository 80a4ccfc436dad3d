"""A ready reply to the customer, written from the best hints.

With an LLM configured (T1_LLM_API_KEY), the model rewrites the hints' template answers into one reply
that answers what the customer asked, in the customer's language. Everything else degrades to the best
hint's template answer, never to an error: no LLM configured, a timeout, an error, an empty or cut-off
answer, or an answer that states a figure the knowledge base does not (a bank's reply must not invent
amounts, rates or phone numbers). The template reply is the part of the answer that answers the
customer's question (services/ml/focus.py: a long answer's relevant sentences) with a closing line.
Either reply opens with a greeting, by the customer's name when it is usable."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from typing import Literal

from services.ml.focus import focused_answer
from services.ml.greeting import with_closing, with_greeting
from services.ml.intent import conversation_intent
from services.ml.retriever import Hit
from services.ml.text import is_transliterated
from t1lib.llm import LlmClient, LlmError, LlmTimeoutError, system, user

Source = Literal["llm", "template", "none"]

MAX_REPLY_CHARS = 3000
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)
# Figures: runs of digits with inner decimal separators (5, 5.5, 5,5); "1 000" is two runs.
_FIGURE = re.compile(r"\d+(?:[.,]\d+)*")

LANGUAGE_NAMES = {"ru": "русском", "en": "английском", "be": "белорусском"}

SYSTEM_PROMPT = """Ты — оператор службы поддержки банка. Составь ответ клиенту в чате.
Правила:
- Отвечай только на то, о чём спросил клиент, и только фактами из справочных ответов ниже. Ничего не \
придумывай: никаких сумм, ставок, сроков, телефонов и ссылок, которых нет в справочных ответах.
- Если справочные ответы не отвечают на вопрос клиента, вежливо скажи, что уточнишь информацию.
- Пиши кратко и по-человечески: 2–6 предложений, простым текстом без разметки и без подписи.
- Пиши на {language} языке.
Верни только текст ответа клиенту."""


@dataclass(frozen=True)
class ComposedReply:
    text: str
    source: Source
    hits: Sequence[Hit] = field(default_factory=tuple)
    model: str = ""
    fallback_reason: str = ""


def reply_language(query: str, requested: str = "") -> str:
    """The reply's language: the requested one, else Russian unless the customer writes English."""
    if requested.strip():
        return requested.strip().lower().split("-")[0]
    cyrillic, latin = len(_CYRILLIC.findall(query)), len(_LATIN.findall(query))
    if latin > 2 * cyrillic and not is_transliterated(query):
        return "en"
    return "ru"


def figures(text: str) -> set[str]:
    """The numbers a text states, with decimal commas as points ("5,5" and "5.5" are the same)."""
    found = set()
    for match in _FIGURE.finditer(text.replace("\u00a0", " ")):
        found.add(match.group().replace(",", "."))
    return found


def invented_figures(reply: str, sources: Sequence[str]) -> set[str]:
    """Figures of the reply that none of the sources states (digits only: "24/7" -> 24 and 7)."""
    allowed: set[str] = set()
    for source in sources:
        allowed |= figures(source)
        allowed |= {figure.replace(".", "") for figure in figures(source.replace(" ", ""))}
    return {figure for figure in figures(reply) if figure not in allowed}


def user_prompt(query: str, hits: Sequence[Hit]) -> str:
    material = "\n\n".join(
        f"[{number}] {hit.entry.subcategory or hit.entry.category}. Вопрос: {hit.entry.question.strip()}\n"
        f"Ответ: {hit.entry.answer.strip()}"
        for number, hit in enumerate(hits, start=1)
    )
    return f"Сообщения клиента:\n{query.strip()}\n\nСправочные ответы (лучший первым):\n{material}"


class ReplyComposer:
    def __init__(
        self,
        llm: LlmClient,
        *,
        attempt_timeout_s: float = 8.0,
        total_timeout_s: float = 15.0,
        max_retries: int = 1,
        max_tokens: int = 400,
    ) -> None:
        self._llm = llm
        self._attempt_timeout_s = attempt_timeout_s
        self._total_timeout_s = total_timeout_s
        self._max_retries = max_retries
        self._max_tokens = max_tokens

    async def compose(
        self, query: str, hits: Sequence[Hit], language: str = "", customer_name: str = ""
    ) -> ComposedReply:
        """The reply, opening with a greeting (by `customer_name` when it is a usable name)."""
        if not hits:
            return ComposedReply("", "none")
        lang = reply_language(query, language)
        reply = await self._compose(query, hits, lang)
        text = reply.text if reply.source == "llm" else with_closing(reply.text, lang)
        return replace(reply, text=with_greeting(text, lang, customer_name))

    async def _compose(self, query: str, hits: Sequence[Hit], lang: str) -> ComposedReply:
        # What the customer asks, chit-chat aside (the query is their last messages, one a line).
        template = focused_answer(hits[0].entry.answer, conversation_intent(query.splitlines()) or query)
        if not self._llm.enabled:
            return ComposedReply(template, "template", hits, fallback_reason="llm not configured")
        prompt = SYSTEM_PROMPT.format(language=LANGUAGE_NAMES.get(lang, f"«{lang}»"))
        material = user_prompt(query, hits)
        try:
            completion = await self._llm.complete(
                [system(prompt), user(material)],
                temperature=0.2,
                max_tokens=self._max_tokens,
                timeout_s=self._attempt_timeout_s,
                total_timeout_s=self._total_timeout_s,
                max_retries=self._max_retries,
            )
        except LlmTimeoutError:
            return ComposedReply(template, "template", hits, fallback_reason="llm timed out")
        except LlmError as error:
            reason = f"llm failed: {type(error).__name__}" + (f" {error.status}" if error.status else "")
            return ComposedReply(template, "template", hits, fallback_reason=reason)
        text = completion.content.strip()
        if completion.truncated or len(text) > MAX_REPLY_CHARS:
            return ComposedReply(template, "template", hits, fallback_reason="llm reply was cut off")
        invented = invented_figures(text, [material])
        if invented:
            listed = ", ".join(sorted(invented)[:5])
            return ComposedReply(
                template,
                "template",
                hits,
                fallback_reason=f"llm reply states figures not in the hints: {listed}",
            )
        return ComposedReply(text, "llm", hits, model=completion.model)
