"""The conversation's intent: what a customer needs, from all their messages, as one text to search for.

Hints used to search the last three customer messages joined, so «Алло, вы тут?» or «Спасибо» replaced
the question they followed. Here a conversation (customer messages, oldest first) becomes one text:
1. each message loses its chit-chat sentences: greetings, presence checks («алло», «вы тут?», «есть кто
   живой?»), chasing («ну что там?», «жду ответа»), thanks, acknowledgements («ок», «понятно»), apologies,
   sign-offs and emoji. The rules are about Russian (and English) chat in general, not a knowledge base;
2. the opening request (the first message with anything left) starts the intent;
3. a follow-up joins it only when it adds information: words the intent does not have yet, weighing
   enough in the knowledge base's terms (`weight`: summed IDF; words the base does not know cannot move
   the hints anyway). A follow-up that repeats or chases adds nothing;
4. a follow-up that asks a new, self-contained question about something else («Ещё вопрос: как открыть
   вклад?» after a card question, or, after a question, one sharing no word with the intent and pointing
   back to nothing: no «её», «этот», «там») starts a new intent: the customer moved on. Statements
   before any question («Я ИП, зарегистрирован 7 месяцев назад») are the context of the question;
5. a follow-up question opening with «а» / «и» («А сколько стоит её обслуживание?») asks the next thing
   about the same subject: it replaces the earlier questions, of which only the names stay (capitalised,
   Latin or quoted words: «Какие лимиты по карте MORE?» leaves «MORE»); statements stay as context.
The same messages always give the same text, and messages that add nothing leave it unchanged, so the
hints for it do not change either (a client may keep what it shows)."""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from services.ml.text import STOPWORDS, strip_symbols, tokens

MAX_INTENT_CHARS = 1000
MAX_PHRASE_WORDS = 5  # the longest chit-chat phrase below
_SPACES = re.compile(r"\s+")
_SENTENCE = re.compile(r"(?<=[.!?…])\s+|\n+")
# Phrases that carry no request, matched as whole words on the folded text (lower case, ё as е, no
# punctuation). A sentence made only of these (and filler words) is chit-chat.
_PHATIC_PHRASES = (
    # greetings and sign-offs
    r"здравствуйте|здравствуй|здрасте|здрасьте|здраствуйте|привет|приветствую|приветик|хай|салют"
    r"|добр(?:ый|ое|ого|ой)\s+(?:день|утро|вечер|ночи|дня|утра|вечера|времени\s+суток)"
    r"|до\s+свидания|всего\s+(?:доброго|хорошего)|хорошего\s+(?:дня|вечера)|пока"
    r"|hello|hi|hey|good\s+(?:morning|afternoon|evening|day)|bye|goodbye",
    # is anybody there
    r"ал+о|ау|эй|вы\s+(?:тут|здесь|там|где|на\s+связи)|есть\s+(?:кто|кто\s+нибудь|кто\s+живой|ли\s+кто)"
    r"|кто\s+нибудь|живой|живые|меня\s+(?:слышно|видно)|слышите|вы\s+меня\s+(?:слышите|видите)|на\s+связи"
    r"|(?:is\s+)?any(?:one|body)\s+(?:there|here)|are\s+you\s+(?:there|here)",
    # chasing
    r"ну\s+(?:что|как|и|же|когда)|и\s+что|ну|так\s+что|что\s+там|как\s+там|ну\s+что\s+там"
    r"|жду(?:\s+ответа)?|я\s+жду|ждем|ждём|сколько\s+(?:можно\s+)?ждать|долго\s+(?:еще|ещё)?"
    r"|когда\s+(?:ответите|будет\s+ответ)|почему\s+(?:вы\s+)?(?:не\s+отвечаете|молчите)|ответьте"
    r"|ответьте\s+уже|вы\s+ответите|отзовитесь|срочно|очень\s+срочно|помогите|hello\s+again|any\s+news"
    r"|(?:i'?m\s+)?waiting",
    # thanks, acknowledgements, apologies, waiting
    r"спасибо|благодарю|благодарна|благодарен|спс|пасиб[оа]?|thanks?|thank\s+you"
    r"|ок|окей|оке|ok|okay|хорошо|ладно|понятно|ясно|понял|поняла|понятненько|угу|ага|да|нет|неа"
    r"|супер|отлично|класс|круто|здорово|good|great|fine|got\s+it|yes|no"
    r"|извините|простите|сорри|sorry|минутку|минуту|секунду|сек|подождите|щас|сейчас|одну\s+минуту",
)
# Words that only soften or glue a chit-chat sentence («спасибо вам большое», «ну вы где уже»).
_FILLER_WORDS = """пожалуйста пжл пж плз please вам вас вы мне же уже ещё еще там тут вообще большое огромное
    заранее за ответ помощь очень всем все всё а и но так то ли бы это вот ой эх ну again you"""
_FILLERS = frozenset(_FILLER_WORDS.split())
_PHATIC = re.compile("|".join(f"(?:{phrase})" for phrase in _PHATIC_PHRASES))
_WORDS = re.compile(r"[0-9a-zа-я']+")
# Follow-ups that announce another question («ещё вопрос», «и другой вопрос», «also,»).
_NEW_TOPIC = re.compile(
    r"^(?:(?:и|а|также|кстати|и\s+ещё|и\s+еще|а\s+ещё|а\s+еще|ещё|еще)\s*[,:—-]?\s*)*"
    r"(?:(?:у\s+меня\s+)?(?:ещё|еще|другой|второй|новый|отдельный)\s+вопрос|и\s+ещё|и\s+еще|а\s+ещё"
    r"|а\s+еще|кстати|также|another\s+question|also)\b",
    re.IGNORECASE,
)
# «А ...?», «И ...?», «Ещё ...?»: the next question of the same conversation.
_NEXT_QUESTION = re.compile(r"^(?:а|и|ещё|еще|also|and)\b", re.IGNORECASE)
# Pronouns that point back to what was said before («сколько её делают?», «по этой карте»): the
# question continues the subject.
_ANAPHORA = re.compile(
    r"\b(?:он|она|оно|они|его|ее|их|него|нее|них|нему|ней|ним|нем|ими|этот|эта|это|эти|этого|этой|этому"
    r"|этим|этом|эту|такой|такая|такие|такое|там|туда|оттуда|тот\s+же|та\s+же|it|its|this|that|them)\b"
)
# Names in a sentence: a capitalised word after its first, an all-caps or Latin word, a quoted phrase.
_NAME = re.compile(r"«[^»]+»|\"[^\"]+\"|(?<=\s)[A-ZА-ЯЁ][\w/.+-]*|\b[A-Za-z][\w/.+-]*")
_QUESTION_WORD = re.compile(
    r"^(?:а\s+|и\s+)?(?:как|где|когда|почему|зачем|сколько|что|какой|какая|какое|какие|каким|куда|можно"
    r"|могу|нужно|нужна|нужен|есть\s+ли|будет\s+ли|how|what|where|when|why|which|can|is|do|does)\b",
    re.IGNORECASE,
)


def fold(text: str) -> str:
    """Lower case, ё as е, words only (chit-chat is recognised on this)."""
    lowered = strip_symbols(text).casefold().replace("ё", "е")
    return " ".join(_WORDS.findall(lowered))


def is_chitchat(sentence: str) -> bool:
    """True when the sentence asks and tells nothing: made only of greetings, presence checks, chasing,
    thanks, acknowledgements, apologies and filler words; or of no words at all (emoji, «???»)."""
    words = fold(sentence)
    return not words or _whole_words(words)


def _whole_words(words: str) -> bool:
    """Every word of `words` belongs to a chit-chat phrase or is a filler (phrases matched whole)."""
    position = 0
    parts = words.split()
    while position < len(parts):
        for end in range(min(len(parts), position + MAX_PHRASE_WORDS), position, -1):
            if _PHATIC.fullmatch(" ".join(parts[position:end])):
                position = end
                break
        else:
            if parts[position] not in _FILLERS:
                return False
            position += 1
    return True


def substance(message: str) -> str:
    """The message without its chit-chat sentences and emoji ("" when nothing is left)."""
    parts = [part.strip() for part in _SENTENCE.split(strip_symbols(message)) if part.strip()]
    kept: list[str] = []
    for part in parts:
        if is_chitchat(part):
            continue
        # A leading greeting or address inside a sentence («Алло, у меня карта не работает»).
        kept.append(_strip_leading_chitchat(part))
    return _SPACES.sub(" ", " ".join(part for part in kept if part)).strip()


def _strip_leading_chitchat(sentence: str) -> str:
    """«Алло, вы тут, у меня карта не работает» -> «у меня карта не работает»: drops comma-separated
    chit-chat at the start of a sentence that has more to say."""
    clauses = re.split(r"(?<=[,!:;—])\s*", sentence)
    while len(clauses) > 1 and is_chitchat(clauses[0]):
        clauses = clauses[1:]
    return " ".join(clause.strip() for clause in clauses if clause.strip())


@dataclass(frozen=True)
class IntentConfig:
    """Thresholds in units of the knowledge base's largest IDF (`unit`), so they read as "about so many
    rare words" whatever the base."""

    # A follow-up joins the intent when its words new to the intent weigh at least this much (a tenth
    # of a rare word: any word the base knows; words it does not know weigh nothing).
    min_new_weight: float = 0.1
    # A follow-up question sharing no word with the intent starts a new intent from this weight up
    # (a self-contained question: about two rare words of the base).
    new_topic_weight: float = 1.5
    max_chars: int = MAX_INTENT_CHARS


@dataclass(frozen=True)
class Part:
    text: str
    question: bool


@dataclass
class Intent:
    """The intent built so far: its parts (the opening first) and their words."""

    parts: list[Part] = field(default_factory=list)

    @property
    def words(self) -> set[str]:
        found: set[str] = set()
        for part in self.parts:
            found |= _content_words(part.text)
        return found


def is_question(text: str) -> bool:
    return text.rstrip().endswith("?") or _QUESTION_WORD.match(text) is not None


def names(text: str) -> str:
    """The names a sentence mentions (see _NAME), space-separated."""
    return " ".join(match.strip(' «»"') for match in _NAME.findall(text))


def _content_words(text: str) -> set[str]:
    return {token for token in tokens(text) if token not in STOPWORDS}


def _words_of(text: str, stems: set[str]) -> str:
    """The words of `text` whose stems are among `stems` (as written: the weight stems them itself)."""
    return " ".join(word for word in text.split() if set(tokens(word)) & stems)


def conversation_intent(
    messages: Sequence[str],
    weight: Callable[[str], float] | None = None,
    unit: float = 1.0,
    config: IntentConfig | None = None,
) -> str:
    """The text to search for: the opening request and the follow-ups that add information (see the
    module's docstring). `weight(text)` is how much a text says in the knowledge base's terms (its
    words' summed IDF) and `unit` the base's largest IDF; without `weight` every new word counts."""
    config = config or IntentConfig()
    unit = unit if unit > 0 else 1.0
    weigh = weight or (lambda text: float(len(_content_words(text))))
    scale = unit if weight else 1.0
    intent = Intent()
    for message in messages:
        text = substance(message)
        words = _content_words(text)
        if not text or not words:
            continue
        part = Part(text, is_question(text))
        if not intent.parts:
            intent = Intent([part])
            continue
        known = intent.words
        new = words - known
        if not new:
            continue  # repeats or chases: nothing the search does not have
        if _starts_new_topic(part, words, intent, known, weigh(text) / scale, config):
            intent = Intent([part])
        elif part.question and _NEXT_QUESTION.match(text):
            kept = [Part(names(old.text), False) if old.question else old for old in intent.parts]
            intent = Intent([old for old in kept if old.text] + [part])
        elif weigh(_words_of(text, new)) / scale >= config.min_new_weight:
            intent.parts.append(part)
    return _bounded([part.text for part in intent.parts], config.max_chars)


def _starts_new_topic(
    part: Part, words: set[str], intent: Intent, known: set[str], text_weight: float, config: IntentConfig
) -> bool:
    """An announced question («И ещё вопрос: ...»), or, after a question, one sharing no word with the
    intent that is not the next question about the same subject («А ...?», «её»), when it says enough
    to stand alone. Before any question, what the customer said is context for the question to come."""
    if not part.question or text_weight < config.new_topic_weight:
        return False
    if _NEW_TOPIC.match(part.text):
        return True
    if not any(old.question for old in intent.parts):
        return False
    if _NEXT_QUESTION.match(part.text) or _ANAPHORA.search(fold(part.text)):
        return False
    return not words & known


def _bounded(parts: list[str], max_chars: int) -> str:
    """The parts joined, at most `max_chars`: the opening and the latest parts that fit (the middle
    goes first), each part cut to the limit."""
    if not parts:
        return ""
    parts = [part[:max_chars] for part in parts]
    kept = [parts[0]]
    used = len(parts[0])
    tail: list[str] = []
    for part in reversed(parts[1:]):
        if used + 1 + len(part) > max_chars:
            break
        tail.append(part)
        used += 1 + len(part)
    return "\n".join(kept + list(reversed(tail)))
