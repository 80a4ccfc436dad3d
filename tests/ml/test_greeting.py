"""Replies open with a greeting, by name when the customer has a usable one, and never twice; template
replies end with a closing line."""

from __future__ import annotations

import pytest

from services.ml.greeting import usable_name, with_closing, with_greeting


def test_a_reply_without_a_greeting_gets_one_by_name() -> None:
    answer = "Лимит снятия наличных по карте MORE — 2 000 BYN в сутки."
    assert with_greeting(answer, "ru", "Иван") == f"Здравствуйте, Иван! {answer}"
    assert (
        with_greeting("The limit is 2,000 BYN a day.", "en", "ivan")
        == "Hello, Ivan! The limit is 2,000 BYN a day."
    )


@pytest.mark.parametrize(
    "reply",
    [
        "Здравствуйте, Иван! Лимит — 2 000 BYN.",
        "Доброе утро, Анна. Всё готово.",
        "Good evening, the card is ready.",
        "Привет! Всё готово.",
    ],
)
def test_a_reply_that_greets_by_name_or_casually_is_left_alone(reply: str) -> None:
    assert with_greeting(reply, "ru", "Иван") == reply


@pytest.mark.parametrize(
    ("reply", "named"),
    [
        ("здравствуйте! Лимит — 2 000 BYN.", "здравствуйте, Иван! Лимит — 2 000 BYN."),
        (
            "Добрый день! Карта будет готова через 5 дней.",
            "Добрый день, Иван! Карта будет готова через 5 дней.",
        ),
        ("Hello! The card is ready.", "Hello, Иван! The card is ready."),
        ("Здравствуйте. Карта готова.", "Здравствуйте, Иван. Карта готова."),
    ],
)
def test_a_greeting_without_a_name_gets_the_name(reply: str, named: str) -> None:
    assert with_greeting(reply, "ru", "Иван") == named
    assert with_greeting(reply, "ru", "") == reply


@pytest.mark.parametrize("name", ["", "xX_pro_Xx", "Иван123", "https://t.me/x", "🙂", "a" * 41])
def test_no_name_is_better_than_a_wrong_one(name: str) -> None:
    assert usable_name(name) == ""
    assert with_greeting("Карта готова.", "ru", name) == "Здравствуйте! Карта готова."


def test_names_of_any_script_and_compound_names_are_kept() -> None:
    assert usable_name("Анна-Мария") == "Анна-Мария"
    assert usable_name("  jean  luc ") == "Jean luc"
    assert usable_name("O'Neil") == "O'Neil"
    assert with_greeting("", "ru", "Иван") == ""


def test_a_template_reply_ends_with_a_closing_line() -> None:
    assert with_closing("Карта выдаётся за 15 минут.", "ru") == (
        "Карта выдаётся за 15 минут.\n\nЕсли останутся вопросы — пишите."
    )
    assert with_closing("It takes 15 minutes.", "en") == (
        "It takes 15 minutes.\n\nIf you have any other questions, just write."
    )
    # A reply that invites the customer back already keeps its own ending; nothing gets nothing.
    assert with_closing("Карта выдаётся за 15 минут. Если остались вопросы, обращайтесь!", "ru") == (
        "Карта выдаётся за 15 минут. Если остались вопросы, обращайтесь!"
    )
    assert with_closing("  ", "ru") == ""
