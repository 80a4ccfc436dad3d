"""The part of a knowledge-base answer that answers what the customer asked: the ready reply without an LLM.

A long answer often covers several things (how to block a lost card in the app, by USSD, by phone; what
the self-employed of two kinds bring). When the customer asked one of them, the reply keeps the answer's
lead (its first sentence, usually the direct answer) and the sentences sharing the customer's rarer words
at least half as well as the best one, in their order, within a budget (a sentence matching as well as
the last one taken goes in too: the customer may be either case); a list item comes with the line that
introduces it. A short answer, or one where nothing beyond the lead matches, is kept whole: cutting
without a signal would drop what may be the answer. Sentences are taken as written, so no figure can
appear that the answer does not state."""

from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass

from services.ml.text import tokens

# Answers up to this long are replies as they are.
SHORT_ANSWER_CHARS = 320
# A focused reply stops adding sentences here (the lead and the best match always go in).
FOCUSED_CHARS = 450
_LIST_ITEM = re.compile(r"^\s*(?:[-•–—*]|\d+[.)])\s+")
RELEVANT_SHARE = 0.5
_COMPOUND = re.compile(r"[-/]")
_SENTENCE = re.compile(r"(?<=[.!?…])\s+(?=[A-ZА-ЯЁ«\"(])")


@dataclass(frozen=True)
class Unit:
    text: str
    intro: int | None  # the unit introducing this list item («…следующими способами:»), if any
    line_break: bool  # starts a new line in the answer


def units(answer: str) -> list[Unit]:
    """The answer's sentences and list items, in order."""
    found: list[Unit] = []
    intro: int | None = None
    for line in answer.splitlines():
        if not line.strip():
            continue
        if _LIST_ITEM.match(line):
            found.append(Unit(line.strip(), intro, True))
            continue
        intro = None
        for number, sentence in enumerate(_SENTENCE.split(line.strip())):
            found.append(Unit(sentence.strip(), None, number == 0))
        if found and found[-1].text.rstrip().endswith(":"):
            intro = len(found) - 1
    return found


def focused_answer(answer: str, question: str) -> str:
    """`answer` cut to what `question` asks (see the module's docstring)."""
    answer = answer.strip()
    parts = units(answer)
    if len(answer) <= SHORT_ANSWER_CHARS or len(parts) < 3:
        return answer
    stems = [_stems(part.text) for part in parts]
    # Words rare among the answer's own sentences tell them apart: weigh shared words by that rarity.
    frequency = Counter(stem for part in stems for stem in part)
    wanted = _stems(question)
    scores = [sum(math.log(1 + len(parts) / frequency[stem]) for stem in part & wanted) for part in stems]
    best = max(scores[1:])
    if best <= 0:
        return answer
    # Sentences matching about as well as the best one; a word shared in passing does not pull one in.
    ranked = sorted(
        (index for index in range(1, len(parts)) if scores[index] >= RELEVANT_SHARE * best),
        key=lambda index: -scores[index],
    )
    chosen: set[int] = {0}
    used = len(parts[0].text)
    last_score = math.inf
    for index in ranked:
        intro = parts[index].intro
        needed = {index} if intro is None else {index, intro}
        cost = sum(len(parts[one].text) + 1 for one in needed - chosen)
        # Over the budget only for a tie with the last one taken: the customer may be either case.
        if len(chosen) > 1 and used + cost > FOCUSED_CHARS and scores[index] < last_score:
            break
        chosen |= needed
        used += cost
        last_score = scores[index]
    if len(chosen) == len(parts):
        return answer
    return _joined([parts[index] for index in sorted(chosen)])


def _stems(text: str) -> set[str]:
    """The text's stems, compound words («USSD-блокировка», «интернет-банк») also by their parts."""
    return set(tokens(text)) | set(tokens(_COMPOUND.sub(" ", text)))


def _joined(parts: list[Unit]) -> str:
    text = parts[0].text
    for part in parts[1:]:
        text += ("\n" if part.line_break else " ") + part.text
    return text
