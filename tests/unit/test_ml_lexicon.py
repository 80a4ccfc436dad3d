"""The colloquial lexicon (services/ml/data/colloquial_ru.tsv): well-formed, general, whole words only."""

from __future__ import annotations

from pathlib import Path

import pytest

from services.ml.text import COLLOQUIAL, LEXICON_FILE, Lexicon, formalise, read_lexicon


def test_the_lexicon_file_parses() -> None:
    pairs = read_lexicon(LEXICON_FILE)
    assert len(pairs) >= 25
    assert len({pattern for pattern, _ in pairs}) == len(pairs)
    assert COLLOQUIAL.pairs == pairs


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("скока стоит", "сколько стоит"),
        ("какие доки нужны", "какие документы нужны"),
        ("снять налик с кредитки", "снять наличные с кредитная карта"),
        ("инет еле грузит", "интернет еле грузит"),
        ("сколько гигов осталось", "сколько гигабайт осталось"),
        ("забыл пин код от симки", "забыл ПИН-код от SIM-карта"),
        ("не приходят смски плз", "не приходят SMS"),
        ("вайфай не работает", "Wi-Fi не работает"),
    ],
)
def test_colloquial_words_become_written_ones(text: str, expected: str) -> None:
    assert formalise(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        # words that merely start like a lexicon key stay as they are
        "аппарат не включается",
        "пинг большой",
        "симметричный канал",
        "гигант скидок",
        "компания оформила договор",
        "налоговый вычет",
        # words fitted to one bank's FAQ are not in the lexicon (they were, before issue 14)
        "в каком отделении банка",
        "курс юаня и евро",
        "проценты годовых по вкладу",
    ],
)
def test_general_words_and_other_banks_words_are_untouched(text: str) -> None:
    assert formalise(text) == text


def test_a_malformed_line_names_its_number(tmp_path: Path) -> None:
    path = tmp_path / "lexicon.tsv"
    path.write_text("# comment\nскока\tсколько\nбез табуляции\n", encoding="utf-8")
    with pytest.raises(ValueError, match="line 3"):
        read_lexicon(path)


def test_an_empty_replacement_drops_the_word() -> None:
    assert Lexicon((("плз", ""),)).apply("помогите плз") == "помогите"
