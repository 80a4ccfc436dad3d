"""Text handling shared by the knowledge base and the retriever: normalisation for ids and hashes, query
clean-up (greetings, thanks, signatures, emoji), transliterated Russian back to Cyrillic, and the Russian
tokens (Snowball stems) of the lexical ranker."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Collection
from dataclasses import dataclass
from functools import cached_property, lru_cache
from pathlib import Path

import Stemmer  # type: ignore[import-not-found]

_SPACES = re.compile(r"\s+")
_WORD = re.compile(r"[0-9a-zа-яё]+(?:[/.+-][0-9a-zа-яё]+)*", re.IGNORECASE)


def normalise(text: str) -> str:
    """Case-, space- and ё-insensitive form of a text (ids and duplicate checks)."""
    text = unicodedata.normalize("NFKC", text).casefold().replace("ё", "е")
    return _SPACES.sub(" ", text).strip()


# --- query clean-up -------------------------------------------------------------------------------------

_GREETING = re.compile(
    r"^\s*(?:(?:здравствуйте|здраствуйте|здрасте|здравствуй|привет(?:ствую)?|хай|"
    r"доброго\s+(?:времени\s+суток|дня|утра|вечера)|"
    r"добр(?:ый|ое|ой)\s+(?:день|утро|вечер|ночи)|"
    r"hello|hi|hey|good\s+(?:morning|afternoon|evening|day)|dear\s+(?:sir|madam|support))"
    r"(?:\s+(?:уважаемый|уважаемые|дорогой|дорогая|банк|поддержка|support|team|there))*"
    r"[\s!.,:;)(-]*)+",
    re.IGNORECASE,
)
# Sentences that carry no question: thanks, sign-offs, signatures. Dropped when they end the text.
_CLOSING = re.compile(
    r"^(?:(?:заранее\s+)?(?:большое\s+)?(?:спасибо|благодарю|благодарна|благодарен)|"
    r"с\s+уважением|всего\s+(?:доброго|хорошего)|хорошего\s+дня|"
    r"(?:many\s+)?thanks?(?:\s+you)?|regards|best\s+regards|kind\s+regards)\b",
    re.IGNORECASE,
)
_THANKS_INLINE = re.compile(
    r"[\s,]*(?:заранее\s+)?(?:большое\s+)?(?:спасибо|благодарю)(?:\s+(?:заранее|за\s+ответ|вам|большое))*"
    r"[\s!.,)]*$",
    re.IGNORECASE,
)
_SENTENCE_END = re.compile(r"(?<=[.!?…])\s+|\n+")


def _is_symbol(char: str) -> bool:
    category = unicodedata.category(char)
    return category in {"So", "Sk", "Cs", "Co", "Cn"} or char in "\u200d\ufe0f\ufe0e"


# Below U+3000 (every script a customer writes here, without emoji), the symbols are replaced through one
# table in C; texts with higher characters go character by character.
_TABLE_LIMIT = "\u3000"
_LOW_SYMBOLS = str.maketrans({chr(code): " " for code in range(ord(_TABLE_LIMIT)) if _is_symbol(chr(code))})


def strip_symbols(text: str) -> str:
    """Drop emoji and other pictographs (they only add noise to both rankers)."""
    if not text or max(text) < _TABLE_LIMIT:
        return text.translate(_LOW_SYMBOLS)
    return "".join(" " if _is_symbol(char) else char for char in text)


def clean_query(text: str) -> str:
    """The part of a customer message that asks something: without emoji, the greeting at the start,
    and the thanks / sign-off / signature sentences at the end. Never returns an empty string for a
    non-empty text that has words: if everything looks like politeness, the text is kept."""
    original = _SPACES.sub(" ", strip_symbols(text)).strip()
    rest = _GREETING.sub("", strip_symbols(text), count=1)
    sentences = [part.strip() for part in _SENTENCE_END.split(rest) if part.strip()]
    while sentences and _CLOSING.match(sentences[-1]):
        sentences.pop()
    if sentences:
        sentences[-1] = _THANKS_INLINE.sub("", sentences[-1]) or sentences[-1]
    cleaned = _SPACES.sub(" ", " ".join(sentences)).strip(" ,;:-—")
    return cleaned if _WORD.search(cleaned) else original


# --- transliteration ------------------------------------------------------------------------------------

_ENGLISH_TEXT = """
a an the is are am was were be been do does did can could will would should may i you we they he she
it my your our their me us what where when why how which who whom whose there here this that these
those of in on at to from for with by about into over after before and or but not no yes if then
have has had get got card cards deposit loan account money bank please want need
"""
_ENGLISH_WORDS = frozenset(_ENGLISH_TEXT.split())
_TRANSLIT = (
    ("shch", "щ"),
    ("sch", "щ"),
    ("yo", "ё"),
    ("zh", "ж"),
    ("kh", "х"),
    ("ts", "ц"),
    ("ch", "ч"),
    ("sh", "ш"),
    ("yu", "ю"),
    ("ju", "ю"),
    ("ya", "я"),
    ("ja", "я"),
    ("ye", "е"),
    ("yj", "ый"),
    ("ij", "ий"),
    ("'", "ь"),
    ("a", "а"),
    ("b", "б"),
    ("v", "в"),
    ("w", "в"),
    ("g", "г"),
    ("d", "д"),
    ("e", "е"),
    ("z", "з"),
    ("i", "и"),
    ("j", "й"),
    ("k", "к"),
    ("l", "л"),
    ("m", "м"),
    ("n", "н"),
    ("o", "о"),
    ("p", "п"),
    ("r", "р"),
    ("s", "с"),
    ("t", "т"),
    ("u", "у"),
    ("f", "ф"),
    ("h", "х"),
    ("c", "к"),
    ("y", "ы"),
    ("x", "кс"),
    ("q", "к"),
)
_LATIN_WORD = re.compile(r"[a-z']+", re.IGNORECASE)
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_LATIN = re.compile(r"[a-z]", re.IGNORECASE)


def _translit_word(word: str) -> str:
    lower = word.lower()
    for ending, cyrillic_ending in (("iy", "ий"), ("ii", "ий"), ("yi", "ый"), ("yy", "ый")):
        if lower.endswith(ending) and len(lower) > 3:
            return _translit_word(lower[: -len(ending)]) + cyrillic_ending
    out: list[str] = []
    i = 0
    while i < len(lower):
        for latin, cyrillic in _TRANSLIT:
            if lower.startswith(latin, i):
                out.append(cyrillic)
                i += len(latin)
                break
        else:
            out.append(lower[i])
            i += 1
    return "".join(out)


def is_transliterated(text: str) -> bool:
    """Russian typed in Latin letters ("kak oformit kartu"): mostly Latin, not English."""
    latin, cyrillic = len(_LATIN.findall(text)), len(_CYRILLIC.findall(text))
    if latin < 6 or cyrillic > latin / 4:
        return False
    words = [word.lower() for word in _LATIN_WORD.findall(text)]
    english = sum(word in _ENGLISH_WORDS for word in words)
    return english == 0 or english / len(words) < 0.15


def detransliterate(text: str, keep: Collection[str] = ()) -> str:
    """Latin words back to Cyrillic, except those in `keep` (lower-case brand names the knowledge base
    writes in Latin, e.g. "more", "signature") and all-caps words (acronyms)."""

    def replace(match: re.Match[str]) -> str:
        word = match.group(0)
        if word.lower() in keep or (word.isupper() and len(word) > 1):
            return word
        return _translit_word(word)

    return _LATIN_WORD.sub(replace, text)


# --- lexical tokens -------------------------------------------------------------------------------------

_STOPWORDS_TEXT = """
и в во не что он на я с со как а то все она так его но да ты к у же вы за бы по только ее её мне
было вот от меня еще ещё нет о из ему теперь когда даже ну вдруг ли если уже или ни быть был него до
вас нибудь опять уж вам ведь там потом себя ничего ей может они тут где есть надо ней для мы тебя их
чем была сам чтоб без будто чего раз тоже себе под будет ж тогда кто этот того потому этого какой
совсем ним здесь этом один почти мой тем чтобы нее неё сейчас были куда зачем всех никогда можно при
наконец два об другой хоть после над больше тот через эти нас про всего них какая много разве три
эту моя впрочем хорошо свою этой перед иногда лучше чуть том нельзя такой им более всегда конечно
всю между это мне меня мой моя мои моё мое вы ваш ваша ваше ваши вашем вашей вам вас у нас наш
пожалуйста подскажите скажите здравствуйте привет добрый день спасибо пж плз хочу хотел хотела
хотелось бы вообще просто очень какие каких какое каким какую каков какова сколько ли же the a an is
are to of in on for and or i you my your can how what do does
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())
_stemmer = Stemmer.Stemmer("russian")
_english_stemmer = Stemmer.Stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    if _CYRILLIC.search(word):
        return str(_stemmer.stemWord(word))
    return str(_english_stemmer.stemWord(word))


def tokens(text: str) -> list[str]:
    """Lower-cased Snowball stems of the words of `text`, without stop words."""
    words = _WORD.findall(text.casefold().replace("ё", "е"))
    return [_stem(word) for word in words if word not in STOPWORDS]


def latin_words(text: str) -> set[str]:
    """Lower-case Latin words of a text (the brand names a knowledge base writes in Latin)."""
    return {word.lower() for word in _LATIN_WORD.findall(text) if len(word) > 1}


# --- colloquial Russian ---------------------------------------------------------------------------------

# Everyday words customers use for what a knowledge base names formally, from data/colloquial_ru.tsv.
# Applied to queries only, as a whole-word replacement.
LEXICON_FILE = Path(__file__).resolve().parent / "data" / "colloquial_ru.tsv"


def read_lexicon(path: Path = LEXICON_FILE) -> tuple[tuple[str, str], ...]:
    """(pattern, replacement) pairs of a lexicon file: `pattern<TAB>replacement`, # comments."""
    pairs = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        pattern, separator, replacement = line.partition("\t")
        if not separator or not pattern.strip():
            raise ValueError(f"{path}: line {number}: expected 'pattern<TAB>replacement'")
        re.compile(pattern)
        pairs.append((pattern.strip(), replacement.strip()))
    return tuple(pairs)


@dataclass(frozen=True)
class Lexicon:
    """Compiled lexicon. Each pattern's core (without case folding and word-boundary lookarounds, matched
    against the casefolded text) is a necessary condition checked ~4 times faster, so most are skipped."""

    pairs: tuple[tuple[str, str], ...]

    @cached_property
    def _compiled(self) -> tuple[tuple[re.Pattern[str], re.Pattern[str], str], ...]:
        return tuple(
            (
                re.compile(pattern),
                re.compile(rf"(?<![0-9a-zа-яё])(?:{pattern})(?![0-9a-zа-яё])", re.IGNORECASE),
                replacement,
            )
            for pattern, replacement in self.pairs
        )

    def apply(self, text: str) -> str:
        folded = text.casefold()
        for core, pattern, replacement in self._compiled:
            if core.search(folded):
                text = pattern.sub(replacement, text)
                folded = text.casefold()
        return _SPACES.sub(" ", text).strip()


COLLOQUIAL = Lexicon(read_lexicon())


def formalise(text: str) -> str:
    """Replace colloquial words ("скока", "доки", "налик", "симка") with the written ones."""
    return COLLOQUIAL.apply(text)


# --- long queries ---------------------------------------------------------------------------------------


def sentences(text: str) -> list[str]:
    return [part.strip() for part in _SENTENCE_END.split(text) if part.strip()]


def shorten(
    text: str,
    budget: int,
    weight: Callable[[str], float],
    size: Callable[[str], int] = len,
    overhead: int = 0,
) -> str:
    """`text` cut to about `budget` (characters by default; the embedder's tokens in the service, where
    `overhead` is what any text costs, e.g. the "query: " prefix and special tokens): its most informative
    sentences (by `weight`, e.g. the summed IDF of the words the knowledge base knows; a question mark adds
    a little), in their original order. A text that fits is returned as is."""
    if size(text) <= budget:
        return text
    parts = sentences(text)
    sizes = [size(part) - overhead for part in parts]
    ranked = sorted(
        range(len(parts)), key=lambda i: weight(parts[i]) + (0.5 if "?" in parts[i] else 0.0), reverse=True
    )
    chosen: list[int] = []
    used = overhead
    for index in ranked:
        if used + sizes[index] <= budget:
            chosen.append(index)
            used += sizes[index]
    if chosen:
        return " ".join(parts[i] for i in sorted(chosen))
    words = parts[ranked[0]].split()
    low, high = 0, len(words)  # the longest prefix of the best sentence that fits
    while low < high:
        middle = (low + high + 1) // 2
        if size(" ".join(words[:middle])) <= budget:
            low = middle
        else:
            high = middle - 1
    return " ".join(words[:low])
