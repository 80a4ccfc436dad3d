"""The offline title generator and the clean-up of LLM titles (no engines needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.summarizer.eval_titles import evaluate, judge, read_titles
from services.summarizer.nominal import noun_phrase
from services.summarizer.titles import (
    NO_TEXT_TITLE,
    TITLE_LIMIT,
    clean_llm_title,
    fallback_title,
    finish_title,
)

TRAILING_PUNCTUATION = ".,;:!?…-—"


@pytest.mark.parametrize(
    ("messages", "title"),
    [
        (["не проходит оплата картой"], "Не проходит оплата картой"),
        (["Здравствуйте! Не проходит оплата картой"], "Не проходит оплата картой"),
        (
            ["Добрый день, подскажите пожалуйста, у меня не проходит оплата картой в магазине, что делать?"],
            "Не проходит оплата картой в магазине",
        ),
        (["Подскажите, пожалуйста, как перевыпустить карту?"], "Перевыпуск карты"),
        (["Мне не приходит смс с кодом подтверждения"], "Не приходит смс с кодом подтверждения"),
        (
            ["Я не могу войти в личный кабинет, пишет неверный пароль"],
            "Проблема с входом в личный кабинет, пишет неверный пароль",
        ),
        (["У меня вопрос по кредиту"], "Вопрос по кредиту"),
        (["У меня вопрос: как закрыть счёт?"], "Закрытие счёта"),
        (["ЗДРАВСТВУЙТЕ!!! НЕ РАБОТАЕТ ПРИЛОЖЕНИЕ!!!"], "Не работает приложение"),
        (
            ["добрый день. у меня такая проблема: не могу перевести деньги на карту другого банка"],
            "Проблема с переводом денег на карту другого банка",
        ),
        (
            ["Здравствуйте! Хочу узнать, можно ли оформить кредитную карту онлайн"],
            "Оформление кредитной карты онлайн",
        ),
        (
            [
                "Доброго времени суток! Хотел бы уточнить, какие документы нужны "
                "для открытия вклада для пенсионеров"
            ],
            "Документы для открытия вклада для пенсионеров",
        ),
        (["Где ближайший банкомат?"], "Где ближайший банкомат"),
        (
            ["Добрый день! 😡😡 Опять списали комиссию за обслуживание!!!"],
            "Опять списали комиссию за обслуживание",
        ),
        # the problem sentence wins over introductions and context
        (
            [
                "Здравствуйте. Меня зовут Иван. Вчера я оплатил покупку в магазине.",
                "Деньги списались дважды, верните пожалуйста!",
            ],
            "Деньги списались дважды, верните",
        ),
        (
            [
                "Уважаемая служба поддержки! Прошу разобраться с ситуацией: банкомат не выдал наличные, "
                "а деньги со счёта списались"
            ],
            "Банкомат не выдал наличные, а деньги со счёта списались",
        ),
        # a long sentence is cut to its key clause
        (
            [
                "Вчера пытался оплатить покупку в интернет-магазине картой Visa через приложение банка, "
                "но оплата не проходит и пишет ошибку"
            ],
            "Оплата не проходит и пишет ошибку",
        ),
        # card and phone numbers never reach a title
        (
            ["Здравствуйте, моя карта 4276 1234 5678 9012 заблокирована, позвоните +375 29 123-45-67"],
            "Блокировка карты",
        ),
        # a noun phrase naming the problem, not the customer's question
        (
            ["Что пишет приложение при входе? Заблокировали карту после ввода PIN"],
            "Блокировка карты после ввода PIN",
        ),
        (["Хочу досрочно погасить кредит, как это сделать?"], "Досрочное погашение кредита"),
        (["Сколько стоит обслуживание карты Signature?"], "Стоимость обслуживания карты Signature"),
        (["Какая ставка по вкладу в долларах?"], "Ставка по вкладу в долларах"),
        (["Где можно снять наличные без комиссии?"], "Снятие наличных без комиссии"),
        (["Как активировать новую карточку?"], "Активация новой карточки"),
        (["Заблокируйте срочно мою карту, её украли!"], "Блокировка карты, её украли"),
        (["Потеряла карточку, что делать?"], "Утеря карточки"),
        (
            ["Здравствуйте, у меня заблокировали карту после того как я три раза неправильно ввел пин"],
            "Блокировка карты",
        ),
        (
            ["Здравствуйте! Как заказать перевыпуск карты, срок заканчивается в следующем месяце?"],
            "Заказ перевыпуска карты",
        ),
        (["Карта заблокирована после ввода неверного PIN"], "Блокировка карты после ввода неверного PIN"),
        # English
        (["Hi, my card payment doesn't go through"], "Card payment doesn't go through"),
        (["Hello! I can't log in to the mobile app."], "Can't log in to the mobile app"),
        (["Could you please help me reset my password?"], "Reset my password"),
        (["How do I block my card?"], "How do I block my card"),
        # nothing but politeness, or only attachments
        (["Здравствуйте"], NO_TEXT_TITLE),
        (["Добрый вечер! Помогите пожалуйста"], NO_TEXT_TITLE),
        (["Спасибо!", "  "], NO_TEXT_TITLE),
        (["[фото]"], "Клиент прислал фото без описания"),
        (["[фото] [документ]"], "Клиент прислал фото и документ без описания"),
    ],
)
def test_fallback_titles(messages: list[str], title: str) -> None:
    assert fallback_title(messages) == title


LONG_TEXTS = [
    "Здравствуйте, у меня не работает мобильное приложение банка на телефоне после последнего обновления "
    "системы и переустановка тоже не помогает",
    "Не могу понять почему с моего счета ежемесячно списывается какая то непонятная комиссия за обслуживание "
    "пакета услуг который я не подключал",
    "очень длинноеслово" * 10,
    "Hello, I have been trying to transfer money to my friend's account for three days and it keeps failing "
    "with an unknown error",
]


@pytest.mark.parametrize("text", LONG_TEXTS)
def test_a_title_fits_and_ends_on_a_word(text: str) -> None:
    title = fallback_title([text])
    assert 0 < len(title) <= TITLE_LIMIT
    assert title[0].isupper()
    assert title[-1] not in TRAILING_PUNCTUATION
    assert title.split()[-1].lower() not in {
        "и",
        "в",
        "на",
        "с",
        "по",
        "за",
        "для",
        "the",
        "to",
        "and",
        "with",
    }
    if " " in title:
        # cut at a word boundary: the last word of the title is a whole word of the text
        assert (
            title.split()[-1].lower() in text.lower().split()
            or title.split()[-1].lower() + "," in text.lower()
        )


def test_the_limit_is_configurable() -> None:
    title = fallback_title(["Не приходит смс с кодом подтверждения при входе в приложение"], limit=25)
    assert title == "Не приходит смс с кодом"


@pytest.mark.parametrize(
    ("answer", "title"),
    [
        ("Не проходит оплата картой", "Не проходит оплата картой"),
        ("«Не проходит оплата картой».", "Не проходит оплата картой"),
        ('"Блокировка карты"', "Блокировка карты"),
        ("Тема: Проблема с оплатой картой", "Проблема с оплатой картой"),
        ("Заголовок обращения — Перевыпуск карты", "Перевыпуск карты"),
        ("Заголовок:\n**Не приходит СМС**", "Не приходит СМС"),
        ("не проходит оплата картой!\nКлиент жалуется на оплату.", "Не проходит оплата картой"),
        ("Проблема С Оплатой Картой", "Проблема с оплатой картой"),
        ("1. Блокировка карты\n2. Другое", "Блокировка карты"),
        ("  Перевод в ЕРИП не прошёл  ", "Перевод в ЕРИП не прошёл"),
        (
            "Не проходит оплата картой в магазине электроники при попытке расплатиться "
            "бесконтактно телефоном",
            "Не проходит оплата картой в магазине электроники при попытке",
        ),
    ],
)
def test_llm_titles_are_cleaned(answer: str, title: str) -> None:
    assert clean_llm_title(answer) == title


@pytest.mark.parametrize(
    "answer",
    [
        "",
        "   \n ",
        "...",
        "??",
        "Извините, я не могу помочь с этим запросом.",
        "As an AI language model, I cannot do that",
        "Card payment declined",  # not Russian, though Russian was asked for
        '{"title": "Оплата"}',
        "<b>Оплата</b>",
        "Оплата https://example.com",
        "Клиент пишет, что " + "очень " * 40 + "долго не может оплатить",  # an essay, not a title
    ],
)
def test_garbage_llm_answers_are_rejected(answer: str) -> None:
    assert clean_llm_title(answer) is None


def test_english_titles_are_accepted_when_english_is_asked_for() -> None:
    assert clean_llm_title("Card Payment Declined", language="en") == "Card payment declined"


def test_finish_title_keeps_acronyms_and_inner_apostrophes() -> None:
    assert finish_title("СМС не приходит") == "СМС не приходит"
    assert finish_title("'can't pay'") == "Can't pay"


@pytest.mark.parametrize(
    ("sentence", "phrase"),
    [
        ("Как оформить карту MORE", "Оформление карты MORE"),
        ("можно ли открыть вклад онлайн", "Открытие вклада онлайн"),
        ("хочу отключить смс-информирование", "Отключение смс-информирования"),
        ("Как изменить пароль", "Изменение пароля"),
        ("Как получить деньги", "Получение денег"),
        ("списали деньги дважды", "Списание денег дважды"),
        ("Как вернуть платежи", "Возврат платежей"),
        ("Как восстановить доступ", "Восстановление доступа"),
        ("не получается оплатить картой", "Проблема с оплатой картой"),
        ("Какие условия по вкладу", "Условия по вкладу"),
        ("Сколько стоит мобильное приложение", "Стоимость мобильного приложения"),
        # nothing to name: unchanged
        ("Не проходит оплата картой", "Не проходит оплата картой"),
        ("Банк заблокировал карту", "Банк заблокировал карту"),
        ("Как дела", "Как дела"),
    ],
)
def test_noun_phrases(sentence: str, phrase: str) -> None:
    assert noun_phrase(sentence) == phrase


def test_our_labelled_titles_by_the_stated_criterion() -> None:
    """data/eval/titles.jsonl by services.summarizer.eval_titles' criterion (fits, names the problem, has
    the key terms); floors under the measured 0.975 and 0.867 (services/summarizer/README.md)."""
    root = Path(__file__).resolve().parents[2] / "data" / "eval"
    summary, _failures = evaluate(read_titles(root / "titles.jsonl"))
    assert summary["n"] == 40
    assert summary["acceptable"] >= 0.95, summary
    holdout, _failures = evaluate(read_titles(root / "titles_holdout.jsonl"))
    assert holdout["acceptable"] >= 0.8, holdout


def test_the_criterion() -> None:
    must = [["блокир", "заблок"], ["карт"]]
    assert judge("Блокировка карты после ввода PIN", must) == {
        "fits": True,
        "names_problem": True,
        "key_terms": True,
    }
    assert not judge("Что пишет приложение при входе", [["приложен"]])["names_problem"]
    assert not judge("Как заблокировать карту?", must)["names_problem"]
    assert not judge("Блокировка", must)["key_terms"]
    assert not judge("Блокировка карты " + "очень " * 10, must)["fits"]
