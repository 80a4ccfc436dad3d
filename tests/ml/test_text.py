"""Query clean-up, transliteration, colloquial words, shortening and Russian tokens (no engines)."""

from __future__ import annotations

from services.ml.text import (
    clean_query,
    detransliterate,
    formalise,
    is_transliterated,
    normalise,
    shorten,
    tokens,
)


def test_clean_query_drops_politeness_and_emoji() -> None:
    assert (
        clean_query("Здравствуйте! Как оформить карту MORE? Спасибо заранее!") == "Как оформить карту MORE?"
    )
    assert clean_query("Добрый день. Не могу войти в интернет-банк. С уважением, Наталья") == (
        "Не могу войти в интернет-банк."
    )
    assert clean_query("Привет 👋 карту заблокировали 😱 что делать? Заранее благодарю, Андрей") == (
        "карту заблокировали что делать?"
    )
    assert clean_query("Где мои деньги, спасибо") == "Где мои деньги"
    # Politeness alone is kept rather than emptied; pictographs alone leave nothing.
    assert clean_query("Здравствуйте!") == "Здравствуйте!"
    assert clean_query("👍") == ""


def test_transliteration_back_to_cyrillic() -> None:
    assert is_transliterated("kak oformit kartu MORE?")
    assert not is_transliterated("How do I get a card?")
    assert not is_transliterated("карта Signature за границей")
    assert detransliterate("zabyl parol ot prilozheniya", keep=set()) == "забыл парол от приложения"
    assert detransliterate("kak oformit kartu MORE signature", keep={"signature"}) == (
        "как оформит карту MORE signature"
    )
    assert detransliterate("novyy bonusnyj period", keep=set()) == "новый бонусный период"


def test_formalise_maps_slang() -> None:
    assert formalise("скока стоит") == "сколько стоит"
    assert formalise("какие доки нужны") == "какие документы нужны"
    assert formalise("снять налик с кредитки") == "снять наличные с кредитная карта"


def test_shorten_keeps_informative_sentences_in_order() -> None:
    text = "Я давно ваш клиент и всё нравится. Как погасить кредит через ЕРИП? Живу в деревне."
    weights = {"Как погасить кредит через ЕРИП?": 5.0, "Живу в деревне.": 1.0}
    short = shorten(text, 50, lambda sentence: weights.get(sentence, 0.0))
    assert short == "Как погасить кредит через ЕРИП? Живу в деревне."
    assert shorten("коротко", 50, lambda _: 0.0) == "коротко"
    assert len(shorten("очень " * 40, 30, lambda _: 0.0)) <= 30


def test_tokens_and_normalise() -> None:
    assert tokens("Как пополнить карточку PLAT/ON?") == ["пополн", "карточк", "plat/on"]
    assert normalise("  Ёлка\n  и  ВКЛАД ") == "елка и вклад"
