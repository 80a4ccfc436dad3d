"""The template reply's focus (services/ml/focus.py) on the FAQ's long answers (no engines)."""

from __future__ import annotations

from services.ml.composer import figures
from services.ml.focus import SHORT_ANSWER_CHARS, focused_answer, units
from services.ml.kb import Entry

SELF_EMPLOYED = "Могу ли я оформить кредит, если являюсь самозанятым/ремесленником?"
PAYMENT = "Как узнать сколько нужно платить по кредиту?"


def answer(entries: list[Entry], question: str) -> str:
    return next(entry.answer for entry in entries if entry.question == question)


def test_one_kind_of_customer_gets_their_part(faq_entries: list[Entry]) -> None:
    text = answer(faq_entries, SELF_EMPLOYED)
    focused = focused_answer(text, "я плачу налог на профессиональный доход, что принести для кредита?")
    assert focused.startswith("Да, оформление заявки на кредит возможно онлайн")  # the lead
    assert "налог на профессиональный доход" in focused
    assert "единый налог" not in focused
    assert len(focused) < len(text.strip())


def test_equally_good_parts_all_go_in(faq_entries: list[Entry]) -> None:
    focused = focused_answer(answer(faq_entries, SELF_EMPLOYED), "какие документы нужны самозанятому")
    # Both kinds of the self-employed: the customer did not say which one they are.
    assert "единый налог" in focused
    assert "налог на профессиональный доход" in focused


def test_a_list_item_comes_with_its_introduction(faq_entries: list[Entry]) -> None:
    focused = focused_answer(answer(faq_entries, PAYMENT), "как узнать платеж через USSD с МТС?")
    lines = focused.splitlines()
    assert lines[0].endswith(":")
    assert any("USSD-предстоящий платеж" in line for line in lines)
    assert "в офисе банка (при себе иметь паспорт)" not in focused


def test_short_answers_and_answers_without_a_match_stay_whole(faq_entries: list[Entry]) -> None:
    short = [entry.answer for entry in faq_entries if len(entry.answer.strip()) <= SHORT_ANSWER_CHARS]
    assert short
    for text in short:
        assert focused_answer(text, "как узнать платеж через USSD") == text.strip()
    text = answer(faq_entries, PAYMENT)
    assert focused_answer(text, "алло") == text.strip()


def test_the_focus_states_no_figure_the_answer_does_not(faq_entries: list[Entry]) -> None:
    for entry in faq_entries:
        focused = focused_answer(entry.answer, entry.question)
        assert figures(focused) <= figures(entry.answer), entry.question
        assert all(part.text in entry.answer for part in units(focused))
