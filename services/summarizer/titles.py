"""Ticket titles without an LLM, and the clean-up of titles an LLM wrote.

A title is at most 60 characters, in sentence case, without quotes or trailing punctuation, cut at a word
boundary. `fallback_title` finds the customer's actual problem: greetings, politeness and filler
("здравствуйте", "подскажите, пожалуйста", "у меня") are dropped, the most informative sentence (a problem
or a question) is chosen, and a long one is cut to its key clause. Russian and English are handled.
`clean_llm_title` accepts an LLM's answer only when it still looks like a title after the clean-up."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence

from services.summarizer.nominal import noun_phrase

TITLE_LIMIT = 60
NO_TEXT_TITLE = "Обращение без описания проблемы"
LLM_ANSWER_LIMIT = 150  # a longer "title" is an essay: the model ignored the instructions

ATTACHMENT_NAMES = {
    "фото": "фото",
    "документ": "документ",
    "голосовое сообщение": "голосовое сообщение",
    "аудио": "аудио",
    "видео": "видео",
    "вложение": "вложение",
}
_ATTACHMENT_LABEL = re.compile(r"\[(фото|документ|голосовое сообщение|аудио|видео|вложение)\]", re.IGNORECASE)

_QUOTES = "\"'`«»„“”‘’‚‹›「」"
# Quotation marks, except an apostrophe inside a word ("doesn't", "д'Артаньян").
_QUOTE_CHARS = re.compile(r"[\"`«»„“”‚‹›「」]|(?<!\w)['‘’]|['‘’](?!\w)")
_TRAILING = " \t.,;:!?…-—–/\\|*_#~" + _QUOTES
_LEADING = " \t.,;:!?…-—–/\\|*_#~•>" + _QUOTES

# Words a title must not end with: prepositions, conjunctions, particles, pronouns that need a follower.
_DANGLING_WORDS = """
    в во на с со к ко по о об обо от до из изо у за для без про при над под через между перед после
    и а но или либо что чтобы как если когда где куда потому поэтому так также тоже не ни же ли бы то
    уже еще ещё очень мой моя мою мое моё мои моей моего мне меня я мы вы он она они это этот эта эти
    который которая которое которые какой какая какие свой свою свои
    the a an to of for in on at with and or but my your our his her their is are was were be not no
    from by as that which who if so than then this these those i we you it its me
    позвоните перезвоните ответьте напишите помогите подскажите пожалуйста срочно спасибо please asap thanks
"""
_DANGLING = frozenset(_DANGLING_WORDS.split())

# Phrases dropped at the start of a sentence (repeatedly). Each may be followed by punctuation.
_LEAD_PHRASES = [
    # greetings and addresses
    r"здравствуйте|здравствуй|здрасьте|добрый\s+(?:день|вечер|утро)|доброе\s+утро|доброго\s+(?:дня|времени"
    r"(?:\s+суток)?)|доброй\s+ночи|привет(?:ствую)?|приветики|салют|хай|алло",
    r"(?:уважаемая|уважаемые|дорогая|дорогие)(?:\s+(?:служба\s+поддержки|поддержка|коллеги|сотрудники|"
    r"специалисты|операторы|банк))?",
    r"служба\s+поддержки|поддержка|техподдержка|оператор|ребята|друзья|коллеги",
    r"hello|hi|hey|greetings|good\s+(?:morning|afternoon|evening|day)|dear\s+(?:support|team|sir|madam)"
    r"(?:\s+team)?|support\s+team|team",
    # politeness and requests for help
    r"(?:не\s+)?подскажите(?:\s+мне)?|(?:не\s+)?подскажете|скажите(?:\s+мне)?|расскажите|объясните"
    r"|помогите(?:\s+мне)?(?:\s+разобраться|\s+решить|\s+понять)?(?:\s+с\s+(?:вопросом|проблемой))?"
    r"|можете\s+(?:подсказать|помочь|объяснить|сказать)|не\s+могли\s+бы\s+вы(?:\s+(?:подсказать|помочь))?",
    r"пожалуйста|плиз|будьте\s+добры|извините(?:\s+за\s+беспокойство)?|простите|прошу\s+(?:помочь|помощи)"
    r"|прошу\s+прощения|заранее\s+спасибо|спасибо(?:\s+заранее)?|очень\s+нужна\s+помощь|нужна\s+помощь"
    r"|срочно|очень\s+срочно",
    r"please|pls|sorry(?:\s+to\s+bother(?:\s+you)?)?|excuse\s+me|thanks(?:\s+in\s+advance)?"
    r"|thank\s+you(?:\s+in\s+advance)?|(?:could|can|would)\s+you(?:\s+please)?(?:\s+(?:help|tell|"
    r"explain|advise)(?:\s+me)?)?|(?:please\s+)?help(?:\s+me)?|i\s+need\s+(?:your\s+)?help(?:\s+with)?",
    # "I have a question:" and similar announcements (only when punctuation follows)
    r"(?:у\s+меня\s+)?(?:(?:есть|такой|один|небольшой|следующий)\s+)?вопрос(?:\s+такой)?(?=\s*[:,.!—–-])"
    r"|(?:у\s+меня\s+)?(?:(?:есть|такая|одна|следующая)\s+)?проблема(?:\s+такая)?(?=\s*[:,.!—–-])"
    r"|(?:такая|следующая)\s+ситуация|ситуация\s+такая|суть\s+(?:проблемы|вопроса)(?:\s+такая)?"
    r"(?:\s+в\s+том)?(?:,?\s+что)?",
    r"(?:я\s+)?(?:хочу|хотел(?:а|ось)?\s+бы|хотелось\s+бы)\s+(?:узнать|уточнить|спросить|спросить\s+о"
    r"|поинтересоваться|сообщить|пожаловаться)(?:\s*,?\s*(?:что|о\s+том,?\s+что))?"
    r"|интересует(?:\s+вопрос)?|вопрос\s+в\s+том,?(?:\s+что)?",
    r"i\s+(?:have|got)\s+(?:a|an|one)\s+(?:question|problem|issue)(?=\s*[:,.!—–-])"
    r"|i(?:'d|\s+would)\s+like\s+to\s+(?:know|ask|report|check)(?:\s+(?:if|whether|about|that))?"
    r"|i\s+want\s+to\s+(?:know|ask)(?:\s+(?:if|whether|about))?|i\s+wonder(?:ed)?\s+(?:if|whether)",
    # fillers and the speaker ("у меня не проходит" → "не проходит")
    r"вот|короче|в\s+общем|слушайте|смотрите|так\s+вот|итак|ну|кстати|честно\s+говоря|добавлю",
    r"у\s+меня|у\s+нас|мне|меня|я|мы|нам|мой|моя|моё|мое|мои|мою|наш|наша|наше|наши|my|our"
    r"|i(?:'m|\s+am)?|we(?:'re|\s+are)?",
    r"so|well|ok|okay|also|basically|hmm",
]
_LEAD = re.compile(
    r"^(?:" + "|".join(f"(?:{phrase})" for phrase in _LEAD_PHRASES) + r")(?![\w'])[\s,.!:;—–-]*",
    re.IGNORECASE,
)
_I_AM_UNABLE = re.compile(r"^(?:i(?:'m|\s+am)\s+)?(unable|not\s+able)\b", re.IGNORECASE)

# Sentences that carry no problem at all: introductions, thanks, sign-offs.
_CHATTER = re.compile(
    r"^(?:меня\s+зовут|мо[её]\s+имя|это\s+\w+\s*$|с\s+уважением|спасибо|благодарю|заранее|жду\s+ответа"
    r"|ответьте|my\s+name\s+is|this\s+is\s+\w+\s*$|thanks|thank\s+you|regards|best\s+regards|cheers)",
    re.IGNORECASE,
)
_TAIL = re.compile(
    r"[\s,.;:!?—–-]*(?:(?:что\s+(?:мне\s+|нам\s+)?(?:теперь\s+)?делать|как\s+(?:мне\s+)?быть|"
    r"(?:очень\s+)?(?:помогите|подскажите)(?:\s+пожалуйста)?|(?:заранее\s+)?спасибо(?:\s+заранее)?|"
    r"как\s+(?:это|мне\s+это)\s+сделать|(?:это|так)\s+(?:возможно|можно|реально)|возможно\s+ли\s+это|"
    r"почему|зачем|"
    r"what\s+(?:should|can|do)\s+(?:i|we)\s+do|(?:please\s+)?help(?:\s+me)?|thanks(?:\s+in\s+advance)?|"
    r"пожалуйста|please|срочно|asap)"
    r"[\s,.;:!?]*)+$",
    re.IGNORECASE,
)
_TAIL_LOWER = re.compile(_TAIL.pattern)  # on lowercased text: faster than IGNORECASE
_CONNECTIVE = re.compile(
    r"^(?:а|и|но|однако|зато|причём|причем|при\s+этом|потом|затем|поэтому|так\s+что|хотя|ведь|тогда|"
    r"and|but|so|however|then|although|though|because)\b[\s,]*",
    re.IGNORECASE,
)

_PROBLEM = re.compile(
    r"\bне\s|\bнет\b|\bнельзя\b|невозмож|ошибк|проблем|сбо[йя]|глюч|завис|вылета|заблокир|блокир|списа|"
    r"спис[аы]в|двойн|дважды|верн|возврат|потерял|утерян|украл|мошен|взлом|не\s?работ|не\s?приход|"
    r"не\s?проход|отказ|отклон|задерж|просроч|жалоб|долг|штраф|комисси|"
    r"\bcan'?t\b|\bcannot\b|\bnot\b|\bno\b|n't\b|\berror|\bfail|\bblocked|\bproblem|\bissue|\bbroken|"
    r"\bstolen|\blost\b|\bcharged|\brefund|\bdeclin|\bwrong\b|\bfraud|\bunable",
    re.IGNORECASE,
)
# The same test, case-sensitive on lowercased text (IGNORECASE alternations are twice as slow), and first
# the plain stems as substrings: a customer's problem usually shows in one of them.
_PROBLEM_LOWER = re.compile(_PROBLEM.pattern)
_PROBLEM_STEMS = tuple(
    stem for stem in _PROBLEM.pattern.replace("\n", "").split("|") if stem.isalpha() and stem.islower()
)
_QUESTION = re.compile(
    r"^(?:как|где|когда|почему|зачем|сколько|что\s+делать|что\s+нужно|какие|какой|какая|куда|можно\s+ли|"
    r"могу\s+ли|нужно\s+ли|есть\s+ли|how|why|where|when|what|which|can\s+i|is\s+it|do\s+i|should\s+i)\b",
    re.IGNORECASE,
)
_ASKS = re.compile(r"\b(?:хочу|нужн[аоы]?|надо|необходимо|прошу|want|need|would\s+like)\b", re.IGNORECASE)

_URL = re.compile(r"(?:https?://|www\.)\S+", re.IGNORECASE)
_EMAIL = re.compile(r"\b[\w.+-]+@[\w-]+\.[\w.-]+\b")
_MENTION = re.compile(r"(?<!\w)@\w+")
_LONG_NUMBER = re.compile(r"(?<!\d)(?:\+?\d[\s()-]?){7,}\d(?!\d)")  # cards, phones, accounts: not in titles
_ABBREVIATIONS = (
    (re.compile(r"\bт\.\s?к\.", re.IGNORECASE), "так как"),
    (re.compile(r"\bт\.\s?е\.", re.IGNORECASE), "то есть"),
    (re.compile(r"\bт\.\s?д\.", re.IGNORECASE), "так далее"),
    (re.compile(r"\bт\.\s?п\.", re.IGNORECASE), "тому подобное"),
    (re.compile(r"\bи\s?т\.\s?д\.?", re.IGNORECASE), ""),
    (re.compile(r"\bруб\.", re.IGNORECASE), "руб"),
    (re.compile(r"\be\.g\.", re.IGNORECASE), "for example"),
    (re.compile(r"\bi\.e\.", re.IGNORECASE), "that is"),
)
_SENTENCE_SPLIT = re.compile(r"[!?…\n]+|\.(?!\d)|;")
_CLAUSE_SPLIT = re.compile(r"\s*(?:,|\s[—–-]\s|:|\(|\))\s*")
_SPACE = re.compile(r"\s+")
_SPACE_BEFORE_PUNCT = re.compile(r"\s+([,.;:!?])")
_REPEATED_PUNCT = re.compile(r"([!?.,])\1+")

# An LLM's answer: labels before the title, refusals, markup.
_LLM_LABEL = re.compile(
    r"^(?:тема(?:\s+обращения)?|заголовок(?:\s+обращения)?|название|титул|title|subject|topic|ответ|answer)"
    r"\s*(?:[:：—–-]\s*|$)",
    re.IGNORECASE,
)
_LLM_REFUSAL = re.compile(
    r"извин|к\s+сожалению|не\s+могу\s+(?:помочь|выполнить|составить|сгенерировать)|как\s+(?:ии|ai|языковая)"
    r"|я\s+не\s+могу|недостаточно\s+информации|as\s+an\s+ai|i'?m\s+sorry|i\s+cannot|i\s+can'?t|"
    r"unable\s+to\s+(?:help|comply)|language\s+model",
    re.IGNORECASE,
)
_CYRILLIC = re.compile(r"[а-яё]", re.IGNORECASE)
_SUBORDINATE = re.compile(
    r"[\s,]+(?:после\s+того,?\s+как|потому\s+что|так\s+как|из-за\s+того,?\s+что|хотя|когда|если|чтобы)\b.*$",
    re.IGNORECASE,
)
_MARKUP = re.compile(r"[*_`#>]+|^\s*(?:[-•]|\d+[.)])\s+")


def fallback_title(messages: Sequence[str], limit: int = TITLE_LIMIT) -> str:
    """A title made offline from the customer's first messages (oldest first)."""
    raw = "\n".join(message for message in messages if message and message.strip())
    attachments = [match.lower() for match in _ATTACHMENT_LABEL.findall(raw)]
    text = _scrub(_ATTACHMENT_LABEL.sub(" ", raw))
    best: tuple[int, int, str] | None = None
    for index, sentence in enumerate(_SENTENCE_SPLIT.split(text)):
        cleaned = _strip_lead(sentence)
        if not _informative(cleaned):
            continue
        score = _score(cleaned, sentence)
        if best is None or score > best[0]:
            best = (score, index, cleaned)
    if best is None:
        if attachments:
            return _attachments_title(attachments, limit)
        return NO_TEXT_TITLE
    return finish_title(_key_clause(_named(best[2], limit), limit), limit) or NO_TEXT_TITLE


def _named(sentence: str, limit: int) -> str:
    """A Russian sentence as a noun phrase naming the problem (nominal.noun_phrase), without a trailing
    subordinate clause when that makes it fit («Блокировка карты после того как я …» → «Блокировка
    карты»)."""
    if not _CYRILLIC.search(sentence):
        return sentence
    phrase = noun_phrase(sentence)
    if len(phrase) > limit:
        shorter = _SUBORDINATE.sub("", phrase)
        if shorter != phrase and len(shorter.split()) >= 2:
            return shorter
        # The named action is the point («Заказ перевыпуска карты, срок заканчивается …»).
        first = phrase.split(",")[0]
        if phrase != sentence and len(first.split()) >= 2:
            return first
    return phrase


def clean_llm_title(answer: str, limit: int = TITLE_LIMIT, language: str = "ru") -> str | None:
    """The LLM's answer as a title, or None when it is empty or not a title (a refusal, an essay, another
    language than asked for)."""
    text = unicodedata.normalize("NFC", answer).replace("\r", "\n")
    lines = []
    for line in text.split("\n"):
        line = _MARKUP.sub(" ", line).lstrip(_LEADING).rstrip()
        while True:
            stripped = _LLM_LABEL.sub("", line).lstrip(_LEADING)
            if stripped == line:
                break
            line = stripped
        line = line.strip(_LEADING)
        if line:
            lines.append(line)
    if not lines:
        return None
    candidate = lines[0]
    if len(candidate) > LLM_ANSWER_LIMIT or _LLM_REFUSAL.search(candidate):
        return None
    if any(char in candidate for char in "{}<>[]") or _URL.search(candidate):
        return None
    letters = [char for char in candidate if char.isalpha()]
    if len(letters) < 3:
        return None
    if language.lower().startswith("ru"):
        cyrillic = sum(1 for char in letters if "а" <= char.lower() <= "я" or char.lower() == "ё")
        if cyrillic / len(letters) < 0.5:
            return None
    title = finish_title(_scrub(candidate), limit)
    return title or None


def finish_title(text: str, limit: int = TITLE_LIMIT) -> str:
    """`text` as a title: one line, no quotes or trailing punctuation, sentence case, at most `limit`
    characters cut at a word boundary (no dangling preposition or conjunction at the end)."""
    text = _SPACE.sub(" ", _QUOTE_CHARS.sub(" ", text)).strip()
    text = _SPACE_BEFORE_PUNCT.sub(r"\1", text).strip(_LEADING)
    text = _fit(text, limit)
    text = _drop_dangling(text)
    return _sentence_case(text)


# --- steps -------------------------------------------------------------------------------------------


def _scrub(text: str) -> str:
    """Without links, e-mails, mentions, long numbers (cards, phones), emoji and repeated punctuation."""
    text = unicodedata.normalize("NFC", text)
    if "." in text:  # every abbreviation has a dot
        for pattern, replacement in _ABBREVIATIONS:
            text = pattern.sub(replacement, text)
    text = _URL.sub(" ", text)
    text = _EMAIL.sub(" ", text)
    text = _MENTION.sub(" ", text)
    text = _LONG_NUMBER.sub(" ", text)
    text = _without_symbols(text)
    text = _REPEATED_PUNCT.sub(r"\1", text)
    if _mostly_upper(text):
        text = text.lower()
    return text


def _is_symbol(char: str) -> bool:
    category = unicodedata.category(char)
    return category in ("So", "Sk", "Cs", "Co") or (category in ("Cf", "Mn") and not char.isalnum())


# Below U+3000 (the scripts customers write here, without emoji) symbols go through one table, in C.
_TABLE_LIMIT = "\u3000"
_LOW_SYMBOLS = str.maketrans({chr(code): None for code in range(ord(_TABLE_LIMIT)) if _is_symbol(chr(code))})


def _without_symbols(text: str) -> str:
    if not text or max(text) < _TABLE_LIMIT:
        return text.translate(_LOW_SYMBOLS)
    return "".join(char for char in text if not _is_symbol(char))


def _mostly_upper(text: str) -> bool:
    letters = [char for char in text if char.isalpha()]
    return len(letters) >= 8 and sum(char.isupper() for char in letters) / len(letters) > 0.7


def _strip_lead(sentence: str) -> str:
    text = _SPACE.sub(" ", sentence).strip(_LEADING)
    if _CHATTER.match(text):
        return ""
    while True:
        stripped = _CONNECTIVE.sub("", _LEAD.sub("", text)).strip(_LEADING)
        if stripped == text:
            break
        text = stripped
    text = _I_AM_UNABLE.sub(lambda match: match.group(1), text)
    without_tail = _without_tail(text)
    return without_tail if len(without_tail.split()) >= 2 else text


def _without_tail(text: str) -> str:
    lowered = text.lower()
    if len(lowered) != len(text):
        return _TAIL.sub("", text)
    found = _TAIL_LOWER.search(lowered)
    return text if found is None else text[: found.start()]


def _informative(text: str) -> bool:
    words = [word for word in text.split() if any(char.isalpha() for char in word)]
    letters = sum(char.isalpha() for char in text)
    if not words or letters < 3:
        return False
    return not (len(words) == 1 and words[0].lower().strip(_TRAILING) in _DANGLING)


def _score(cleaned: str, original: str) -> int:
    score = 0
    if _is_problem(cleaned):
        score += 3
    if _QUESTION.match(cleaned) or original.rstrip().endswith("?"):
        score += 2
    if _ASKS.search(cleaned):
        score += 1
    if len(cleaned.split()) >= 2:
        score += 1
    if len(cleaned.split()) >= 4:  # «Какие условия?» says less than the request before it
        score += 1
    return score


def _is_problem(text: str) -> bool:
    """`_PROBLEM` found in the text (a space before it, so a leading "не " counts)."""
    lowered = " " + text.lower()
    if any(stem in lowered for stem in _PROBLEM_STEMS):
        return True
    if len(lowered) != len(text) + 1:  # lower() changed the length (rare letters): the original test
        return _PROBLEM.search(" " + text) is not None
    return _PROBLEM_LOWER.search(lowered) is not None


def _key_clause(sentence: str, limit: int) -> str:
    """The sentence, or when it is too long, its most informative clause (with what follows it while
    that still fits)."""
    if len(sentence) <= limit:
        return sentence
    clauses = [clause for clause in _CLAUSE_SPLIT.split(sentence) if clause.strip()]
    if len(clauses) < 2:
        return sentence
    best_index, best_score = 0, -1
    for index, clause in enumerate(clauses):
        cleaned = _strip_lead(clause)
        if not _informative(cleaned):
            continue
        score = _score(cleaned, clause)
        if score > best_score:
            best_index, best_score = index, score
    chosen = _strip_lead(clauses[best_index]) or clauses[best_index]
    for clause in clauses[best_index + 1 :]:
        longer = f"{chosen}, {clause.strip()}"
        if len(longer) > limit:
            break
        chosen = longer
    return chosen


def _fit(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit + 1]
    # Prefer ending at a comma or dash when that keeps most of the title.
    for mark in (", ", " — ", " – ", " - "):
        position = cut.rfind(mark)
        if position >= limit * 0.55:
            return cut[:position]
    position = cut.rfind(" ")
    return cut[:position] if position > 0 else text[:limit]


def _drop_dangling(text: str) -> str:
    words = text.strip(_TRAILING).split()
    while len(words) > 1 and words[-1].lower().strip(_TRAILING) in _DANGLING:
        words.pop()
    return " ".join(words).strip(_TRAILING)


def _sentence_case(text: str) -> str:
    if not text:
        return text
    words = text.split(" ")
    capitalised = [word for word in words[1:] if word[:1].isupper() and not _acronym(word)]
    lettered = [word for word in words[1:] if word[:1].isalpha()]
    if len(lettered) >= 2 and len(capitalised) == len(lettered):  # Title Case Like This
        words = [words[0]] + [word if _acronym(word) else word[:1].lower() + word[1:] for word in words[1:]]
    first = words[0]
    words[0] = first if _acronym(first) else first[:1].upper() + first[1:]
    return " ".join(words)


def _acronym(word: str) -> bool:
    letters = [char for char in word if char.isalpha()]
    return len(letters) >= 2 and all(char.isupper() for char in letters)


def _attachments_title(kinds: list[str], limit: int) -> str:
    names: list[str] = []
    for kind in kinds:
        name = ATTACHMENT_NAMES.get(kind, "вложение")
        if name not in names:
            names.append(name)
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " и " + names[-1]
    return finish_title(f"Клиент прислал {listed} без описания", limit)
