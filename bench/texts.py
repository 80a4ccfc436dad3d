"""Russian texts for the benchmarks: customers' questions from the knowledge base's variants (the way real
customers phrase them), varied with details, so search and previews see a realistic spread of words."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

KB_VARIANTS = Path(__file__).resolve().parents[1] / "data" / "kb" / "vtb_belarus_faq.variants.jsonl"

OPENINGS = (
    "Здравствуйте!",
    "Добрый день.",
    "Добрый вечер,",
    "Привет.",
    "Подскажите, пожалуйста:",
    "Срочно!",
    "Извините за беспокойство.",
    "",
)
DETAILS = (
    "Карта заканчивается на {n4}.",
    "Договор № {n6}.",
    "Пишу уже второй раз, ответа нет.",
    "Приложение выдаёт ошибку {n3}.",
    "Сумма {n3} BYN, операция не прошла.",
    "Звонил на горячую линию, не дозвонился.",
    "Вчера заблокировали карту, не понимаю почему.",
    "Хочу оформить ипотеку на квартиру.",
    "Перевод завис в обработке.",
    "Не приходит СМС с кодом подтверждения.",
    "Деньги списали дважды.",
    "Банкомат не вернул карту в отделении на {street}.",
    "Мой логин {login}.",
    "Кэшбэк за прошлый месяц не начислен.",
    "Когда закончится блокировка счёта?",
    "Вклад закрылся раньше срока.",
    "",
    "",
)
STREETS = ("Немиге", "Притыцкого", "Независимости", "Сурганова", "Калиновского", "Кальварийской")
CLOSINGS = ("Спасибо.", "Жду ответа.", "Очень нужно сегодня.", "Заранее благодарю!", "", "", "")
OPERATOR_REPLIES = (
    "Добрый день! Уточните, пожалуйста, последние 4 цифры карты.",
    "Спасибо за обращение. Проверили операцию: средства вернутся в течение 3 рабочих дней.",
    "Блокировка снята, попробуйте повторить платёж.",
    "Передали запрос в отдел карточных операций, ответим до конца дня.",
    "Оформить ипотеку можно в любом отделении или в приложении, раздел «Кредиты».",
    "Код подтверждения отправлен повторно. Проверьте, что номер телефона указан верно.",
    "Вклад можно пополнить в VTB mBank без комиссии.",
    "Кэшбэк начисляется до 10 числа следующего месяца.",
)
FIRST_NAMES = ("Мария", "Иван", "Ольга", "Алексей", "Наталья", "Сергей", "Елена", "Дмитрий", "Анна", "Павел")
LAST_NAMES = ("Иванова", "Петров", "Сидорова", "Козлов", "Новикова", "Морозов", "Волкова", "Лебедев", "", "")
TAGS = ("vip", "повторное", "жалоба", "мошенничество", "карта", "ипотека", "перевод", "срочно", "приложение")
FALLBACK_QUESTIONS = (
    ("Банковские карточки", "Не работает карта, что делать?"),
    ("Кредиты", "Как оформить кредит онлайн?"),
    ("Вклады и депозиты", "Какая ставка по вкладу?"),
    ("Онлайн-сервисы", "Не могу войти в приложение"),
)


@dataclass(frozen=True)
class Question:
    category: str
    subcategory: str
    text: str


@lru_cache(maxsize=1)
def questions() -> tuple[Question, ...]:
    """Every question and variant of the knowledge base, with its category (the part of the
    subcategory before " - ", e.g. "Дебетовые карты")."""
    found: list[Question] = []
    if KB_VARIANTS.is_file():
        for line in KB_VARIANTS.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            entry = json.loads(line)
            sub = str(entry.get("subcategory") or "Разное")
            category = sub.split(" - ", 1)[0]
            for text in [entry.get("question"), *entry.get("variants", [])]:
                if isinstance(text, str) and text.strip() and not text.isascii():
                    found.append(Question(category, sub, text.strip()))
    if not found:
        found = [Question(category, category, text) for category, text in FALLBACK_QUESTIONS]
    return tuple(found)


@lru_cache(maxsize=1)
def categories() -> tuple[str, ...]:
    """Categories, the most frequent first."""
    counts: dict[str, int] = {}
    for question in questions():
        counts[question.category] = counts.get(question.category, 0) + 1
    return tuple(sorted(counts, key=lambda name: (-counts[name], name)))


def _detail(rng: random.Random) -> str:
    return rng.choice(DETAILS).format(
        n3=rng.randint(100, 999),
        n4=rng.randint(1000, 9999),
        n6=rng.randint(100000, 999999),
        street=rng.choice(STREETS),
        login=f"user{rng.randint(1, 99999)}",
    )


def customer_text(rng: random.Random, question: Question | None = None) -> str:
    """A customer's message: opening, a knowledge-base question, a detail or two, a closing."""
    asked = question or rng.choice(questions())
    parts = [rng.choice(OPENINGS), asked.text, _detail(rng), _detail(rng) if rng.random() < 0.3 else ""]
    parts.append(rng.choice(CLOSINGS))
    return " ".join(part for part in parts if part)


def follow_up_text(rng: random.Random) -> str:
    return " ".join(part for part in (_detail(rng) or "Есть новости?", rng.choice(CLOSINGS)) if part)


def operator_text(rng: random.Random) -> str:
    return rng.choice(OPERATOR_REPLIES)


def customer_name(rng: random.Random) -> tuple[str, str]:
    return rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
