"""`python -m services.summarizer.eval_titles [--titles data/eval/titles.jsonl]`: offline titles against a
labelled set, by a stated criterion.

Each line: {"messages": [the customer's first messages], "title": "<an acceptable title, for reading>",
"must": [[stem, ...], ...]}. A title is acceptable when all three hold:
1. `fits`: 1 to 60 characters;
2. `names_problem`: it names the problem rather than quoting the customer: it does not open with a question
   word, a pronoun, a request or a greeting («Что пишет…», «Как оформить…», «Я не могу…», «Подскажите…»)
   and does not end with "?";
3. `key_terms`: for every group of `must`, one of its stems begins a word of the title (case- and
   ё-insensitive): the words an operator scanning the queue looks for (the object and what happened; a
   group lists the stems of the word's forms, «блокир» and «заблок»).
Prints one JSON line with the share of acceptable titles and of each criterion, then (`--show`) every
title that fails, with the criteria it fails."""

from __future__ import annotations

import argparse
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from services.summarizer.titles import TITLE_LIMIT, fallback_title
from t1lib.jsonl import read_jsonl

DEFAULT_SET = Path(__file__).resolve().parents[2] / "data" / "eval" / "titles.jsonl"
_OPENER_WORDS = """что как где когда почему зачем сколько какой какая какое какие каков какова
можно могу можете нужно нужна нужен надо есть ли я мне меня мой моя мое моё мои
у мы нам наш вы вам ваш подскажите скажите помогите хочу хотел хотела
здравствуйте привет добрый спасибо пожалуйста what how where when why which can
could would should is are do does i my me we our please hi hello thanks"""
_OPENERS = frozenset(_OPENER_WORDS.split())
_WORD = re.compile(r"[0-9a-zа-яё/]+(?:'[a-z]+)?", re.IGNORECASE)  # "can't" is one word


@dataclass(frozen=True)
class Labelled:
    messages: tuple[str, ...]
    title: str
    must: tuple[tuple[str, ...], ...]


def read_titles(path: str | Path) -> list[Labelled]:
    return read_jsonl(
        path,
        lambda data: Labelled(
            tuple(data["messages"]),
            str(data["title"]),
            tuple(tuple(str(stem).casefold() for stem in group) for group in data["must"]),
        ),
    )


def words(text: str) -> list[str]:
    return [word.casefold().replace("ё", "е") for word in _WORD.findall(text)]


def judge(title: str, must: Sequence[Sequence[str]]) -> dict[str, bool]:
    found = words(title)
    fits = 0 < len(title) <= TITLE_LIMIT
    names_problem = bool(found) and found[0] not in _OPENERS and not title.rstrip().endswith("?")
    key_terms = all(any(word.startswith(stem) for stem in group for word in found) for group in must)
    return {"fits": fits, "names_problem": names_problem, "key_terms": key_terms}


def evaluate(items: Sequence[Labelled]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    verdicts = []
    failures = []
    for item in items:
        title = fallback_title(list(item.messages))
        verdict = judge(title, item.must)
        verdicts.append(verdict)
        if not all(verdict.values()):
            failed = [name for name, ok in verdict.items() if not ok]
            failures.append({"title": title, "wanted_like": item.title, "fails": failed})
    n = len(items) or 1
    summary: dict[str, Any] = {
        "n": len(items),
        "acceptable": round(sum(all(v.values()) for v in verdicts) / n, 4),
    }
    for name in ("fits", "names_problem", "key_terms"):
        summary[name] = round(sum(v[name] for v in verdicts) / n, 4)
    return summary, failures


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m services.summarizer.eval_titles",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--titles", default=str(DEFAULT_SET), help="JSONL of {messages, title, must}")
    parser.add_argument("--show", action="store_true", help="print the titles that fail")
    args = parser.parse_args(argv)
    summary, failures = evaluate(read_titles(args.titles))
    print(json.dumps(summary, ensure_ascii=False))
    if args.show:
        for failure in failures:
            print(json.dumps(failure, ensure_ascii=False))


if __name__ == "__main__":
    main()
