"""A customer's sentence as a noun phrase naming the problem, for offline titles: «Как оформить карту
MORE» → «Оформление карты MORE», «заблокировали карту после …» → «Блокировка карты после …», «Сколько стоит
обслуживание карты» → «Стоимость обслуживания карты», «Какая ставка по вкладу» → «Ставка по вкладу»,
«Не могу перевести деньги на карту» → «Проблема с переводом денег на карту».

Rules of Russian in general, not of one knowledge base: a table of common service verbs with their
action nouns (оформить → оформление), the verb's forms a customer writes (infinitive after «как», «можно
ли», «хочу»; «заблокировали», «заблокируйте», «заблокирована»), and the object turned into the genitive
by its ending («кредитную карту» → «кредитной карты»). A sentence no rule fits is returned unchanged."""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class Action:
    noun: str
    instrumental: str  # «Проблема с …»
    gender: str  # m, f, n: an adverb before the verb becomes the noun's adjective («досрочное погашение»)


def _action(noun: str, instrumental: str, gender: str) -> Action:
    return Action(noun, instrumental, gender)


_F, _M, _N = "f", "m", "n"
# infinitive → the action; reflexive forms («зарегистрироваться») are listed as such.
ACTIONS: dict[str, Action] = {
    "заблокировать": _action("блокировка", "блокировкой", _F),
    "блокировать": _action("блокировка", "блокировкой", _F),
    "разблокировать": _action("разблокировка", "разблокировкой", _F),
    "оформить": _action("оформление", "оформлением", _N),
    "открыть": _action("открытие", "открытием", _N),
    "закрыть": _action("закрытие", "закрытием", _N),
    "получить": _action("получение", "получением", _N),
    "взять": _action("получение", "получением", _N),
    "пополнить": _action("пополнение", "пополнением", _N),
    "снять": _action("снятие", "снятием", _N),
    "перевести": _action("перевод", "переводом", _M),
    "отправить": _action("отправка", "отправкой", _F),
    "оплатить": _action("оплата", "оплатой", _F),
    "заплатить": _action("оплата", "оплатой", _F),
    "платить": _action("оплата", "оплатой", _F),
    "погасить": _action("погашение", "погашением", _N),
    "гасить": _action("погашение", "погашением", _N),
    "вернуть": _action("возврат", "возвратом", _M),
    "восстановить": _action("восстановление", "восстановлением", _N),
    "активировать": _action("активация", "активацией", _F),
    "подключить": _action("подключение", "подключением", _N),
    "отключить": _action("отключение", "отключением", _N),
    "изменить": _action("изменение", "изменением", _N),
    "поменять": _action("смена", "сменой", _F),
    "сменить": _action("смена", "сменой", _F),
    "войти": _action("вход", "входом", _M),
    "зайти": _action("вход", "входом", _M),
    "зарегистрироваться": _action("регистрация", "регистрацией", _F),
    "скачать": _action("скачивание", "скачиванием", _N),
    "установить": _action("установка", "установкой", _F),
    "обновить": _action("обновление", "обновлением", _N),
    "списать": _action("списание", "списанием", _N),
    "начислить": _action("начисление", "начислением", _N),
    "зачислить": _action("зачисление", "зачислением", _N),
    "выпустить": _action("выпуск", "выпуском", _M),
    "перевыпустить": _action("перевыпуск", "перевыпуском", _M),
    "заказать": _action("заказ", "заказом", _M),
    "доставить": _action("доставка", "доставкой", _F),
    "продлить": _action("продление", "продлением", _N),
    "использовать": _action("использование", "использованием", _N),
    "узнать": _action("проверка", "проверкой", _F),
    "проверить": _action("проверка", "проверкой", _F),
    "посмотреть": _action("просмотр", "просмотром", _M),
    "найти": _action("поиск", "поиском", _M),
    "привязать": _action("привязка", "привязкой", _F),
    "отвязать": _action("отвязка", "отвязкой", _F),
    "подтвердить": _action("подтверждение", "подтверждением", _N),
    "ввести": _action("ввод", "вводом", _M),
    "вносить": _action("внесение", "внесением", _N),
    "внести": _action("внесение", "внесением", _N),
    "отозвать": _action("отзыв", "отзывом", _M),
    "расторгнуть": _action("расторжение", "расторжением", _N),
    "передать": _action("передача", "передачей", _F),
    "обменять": _action("обмен", "обменом", _M),
    "купить": _action("покупка", "покупкой", _F),
    "отменить": _action("отмена", "отменой", _F),
    "вывести": _action("вывод", "выводом", _M),
    "подать": _action("подача", "подачей", _F),
    "настроить": _action("настройка", "настройкой", _F),
    "потерять": _action("утеря", "утерей", _F),
    "украсть": _action("кража", "кражей", _F),
}
# Forms whose stem changes (past «перевели», imperative «переведите»).
_IRREGULAR = {
    "перевести": ("перевели", "перевел", "перевела", "переведите"),
    "ввести": ("ввели", "ввел", "ввела", "введите"),
    "внести": ("внесли", "внес", "внесла", "внесите"),
    "вывести": ("вывели", "вывел", "вывела", "выведите"),
    "войти": ("вошли", "вошел", "вошла", "войдите"),
    "зайти": ("зашли", "зашел", "зашла", "зайдите"),
    "найти": ("нашли", "нашел", "нашла", "найдите"),
    "взять": ("взяли", "взял", "взяла", "возьмите"),
    "снять": ("сняли", "снял", "сняла", "снимите"),
    "украсть": ("украли", "украл", "украла"),
}


def _finite_forms(infinitive: str) -> set[str]:
    """Past (plural and singular) and plural imperative forms."""
    if infinitive in _IRREGULAR:
        return set(_IRREGULAR[infinitive])
    if not infinitive.endswith("ть"):
        return set()
    stem = infinitive[:-2]
    forms = {stem + "ли", stem + "л", stem + "ла"}
    if infinitive.endswith("овать"):
        forms.add(infinitive[:-5] + "уйте")
    elif infinitive.endswith("ить"):
        forms.add(infinitive[:-3] + "ите")
    elif infinitive.endswith(("ать", "ять")):
        forms.add(stem + "йте")
    return forms


def _participles(infinitive: str) -> set[str]:
    """Short passive participles («заблокирована», «закрыт»)."""
    stem = infinitive[:-2]
    if infinitive.endswith(("ать", "ять")):
        return {stem + "н" + ending for ending in ("", "а", "о", "ы")}
    if infinitive.endswith("ыть"):
        return {stem + "т" + ending for ending in ("", "а", "о", "ы")}
    return set()


_INFINITIVES = {form: verb for verb in ACTIONS for form in (verb, verb + "ся")}
_FINITE = {form: verb for verb in ACTIONS for form in _finite_forms(verb)}
_PARTICIPLES = {form: verb for verb in ACTIONS for form in _participles(verb)}

_ASKING = (
    r"(?:как|где|когда|куда|каким\s+образом|можно\s+ли|можно|могу\s+ли|могу|нужно\s+ли|нужно|надо|"
    r"необходимо|хочу|хотел[аи]?|хотим|хотелось\s+бы|хотел[аи]?\s+бы|планирую|собираюсь|подскажите\s+как|"
    r"как\s+можно|где\s+можно|как\s+мне|где\s+мне|можно\s+ли\s+мне|как\s+бы|а\s+как|а\s+где)"
)
_MODAL = r"(?:ли|бы|мне|я|нам|мы|можно|нужно|надо|необходимо)"
_ASKING_VERB = re.compile(rf"^{_ASKING}(?:\s+{_MODAL})*\s+(?P<rest>.+)$", re.IGNORECASE)
_CANNOT = re.compile(
    r"^(?:я\s+)?не\s+(?:могу|можем|получается|удается|удаётся|выходит|смог(?:ла|ли)?|смогу)\s+(?P<rest>.+)$",
    re.IGNORECASE,
)
_COST = re.compile(r"^(?:сколько\s+стоит|какова\s+стоимость|какая\s+стоимость|цена)\s+(?P<rest>.+)$", re.I)
_WHICH = re.compile(
    r"^(?:а\s+)?(?:какой|какая|какое|какие|каков|какова|каковы)\s+(?P<rest>.+)$", re.IGNORECASE
)
# «Какие документы нужны для кредита» → «Документы для кредита».
_NEEDED = re.compile(r"\s+(?:нужн[аоы]?|нужен|требу(?:ется|ются)|необходим[аоы]?|есть|бывают|будут)\b")
_SUBJECT = re.compile(r"^(?:мне|у\s+меня|нам|у\s+нас|я|мы|вы|вам)\s+", re.IGNORECASE)
_POSSESSIVE_WORDS = (
    """мою мой моё мое мои свою свой своё свое свои нашу наш наши вашу ваш ваши её ее его их"""
)
_POSSESSIVE = frozenset(_POSSESSIVE_WORDS.split())
_INTENSIFIER_WORDS = (
    """срочно быстро скорее немедленно пожалуйста сейчас уже ещё еще можно нужно надо необходимо"""
)
_INTENSIFIERS = frozenset(_INTENSIFIER_WORDS.split())
_BOUNDARY_WORDS = """в во на с со к ко по о об от до из у за для без про при над под через между
после перед и а но или что чтобы как если когда где который которая которые
которую потому так то ли же не ни"""
_BOUNDARY = frozenset(_BOUNDARY_WORDS.split())


def noun_phrase(sentence: str) -> str:
    """`sentence` as a noun phrase naming the problem, or unchanged when no rule fits."""
    text = " ".join(sentence.split())
    for rule in (_cost, _cannot, _asking, _finite, _which):
        result = rule(text)
        if result:
            return result
    return text


def _cost(text: str) -> str | None:
    match = _COST.match(text)
    if not match:
        return None
    return "Стоимость " + _genitive_phrase(match["rest"], accusative=False)


def _which(text: str) -> str | None:
    match = _WHICH.match(text)
    if not match:
        return None
    rest = _NEEDED.sub("", match["rest"], count=1).strip()
    return rest[:1].upper() + rest[1:] if len(rest.split()) >= 1 else None


def _cannot(text: str) -> str | None:
    match = _CANNOT.match(text)
    if not match:
        return None
    words = match["rest"].split()
    verb = _INFINITIVES.get(words[0].lower().strip(",.")) if words else None
    if verb is None:
        return None
    action = ACTIONS[verb]
    return f"Проблема с {action.instrumental} {_genitive_phrase(' '.join(words[1:]))}".strip()


def _asking(text: str) -> str | None:
    match = _ASKING_VERB.match(text)
    if not match:
        return None
    return _from_verb(match["rest"].split(), _INFINITIVES)


def _finite(text: str) -> str | None:
    text = _SUBJECT.sub("", text)
    words = text.split()
    # «Карта заблокирована после …»: a noun and the participle → «Блокировка карты после …».
    if len(words) >= 2 and words[1].lower().strip(",.") in _PARTICIPLES and words[0].lower() not in _BOUNDARY:
        verb = _PARTICIPLES[words[1].lower().strip(",.")]
        rest = " ".join(words[2:])
        noun = words[0] if words[0].isupper() else words[0][:1].lower() + words[0][1:]
        obj = _genitive_phrase(noun, accusative=False)
        return _capitalised(f"{ACTIONS[verb].noun} {obj} {rest}".strip())
    return _from_verb(words, _FINITE)


def _from_verb(words: list[str], forms: dict[str, str]) -> str | None:
    adverb = ""
    if len(words) >= 2 and words[0].lower().endswith("о") and words[1].lower().strip(",.") in forms:
        adverb, words = words[0].lower(), words[1:]
    if not words:
        return None
    verb = forms.get(words[0].lower().strip(",."))
    if verb is None:
        return None
    action = ACTIONS[verb]
    adjective = _adverb_as_adjective(adverb, action.gender) if adverb not in _INTENSIFIERS else ""
    phrase = " ".join(
        part for part in (adjective, action.noun, _genitive_phrase(" ".join(words[1:]))) if part
    )
    return _capitalised(phrase)


def _adverb_as_adjective(adverb: str, gender: str) -> str:
    """«досрочно» → «досрочное» (for a neuter noun); "" for what is not an -о adverb."""
    if len(adverb) < 5 or not adverb.endswith("о"):
        return ""
    return adverb[:-1] + {"m": "ый", "f": "ая", "n": "ое"}[gender]


def _genitive_phrase(text: str, accusative: bool = True) -> str:
    """The leading noun group of `text` (adjectives and their noun) in the genitive, the rest unchanged;
    possessive pronouns and intensifiers before it go («срочно мою карту» → «карты»)."""
    words = text.split()
    out: list[str] = []
    index = 0
    while index < len(words) and words[index].lower().strip(",.") in (_POSSESSIVE | _INTENSIFIERS):
        index += 1
    while index < len(words):
        word = words[index]
        bare = word.rstrip(",.;:!?")
        lower = bare.lower()
        if lower in _BOUNDARY or not re.fullmatch(r"[а-яё-]+", lower):
            break
        following = words[index + 1].lower().rstrip(",.;:!?") if index + 1 < len(words) else ""
        if _is_adjective(lower) and following and following not in _BOUNDARY and word == bare:
            out.append(_adjective_genitive(bare) + word[len(bare) :])
            index += 1
            continue
        out.append(_noun_genitive(bare, accusative) + word[len(bare) :])
        index += 1
        break
    return " ".join(out + words[index:])


_NOUN_ENDINGS = ("ние", "тие", "вие", "ье", "ие")  # -ие: nouns («приложение»), checked before adjectives


def _is_adjective(word: str) -> bool:
    if word.endswith(("ние", "тие", "вие")):
        return False
    return word.endswith(("ую", "юю", "ый", "ий", "ой", "ое", "ее", "ая", "яя", "ые", "ие", "ых", "их"))


def _adjective_genitive(word: str) -> str:
    for ending, genitive in (
        ("ую", "ой"),
        ("юю", "ей"),
        ("ая", "ой"),
        ("яя", "ей"),
        ("ое", "ого"),
        ("ее", "его"),
        ("ые", "ых"),
        ("ие", "их"),
    ):
        if word.endswith(ending):
            return word[: -len(ending)] + genitive
    if word.endswith(("ый", "ой")):
        return word[:-2] + "ого"
    if word.endswith("ий"):
        return word[:-2] + ("ого" if word[-3:-2] in "гкхжшчщ" else "его")
    return word


_PLURALS = {"деньги": "денег", "средства": "средств", "люди": "людей", "наличные": "наличных"}
_SOFT_MASCULINE = frozenset(["пароль", "рубль", "календарь", "словарь", "портфель"])


_OBLIQUE = ("ой", "ей", "ом", "ем", "ами", "ями", "ах", "ях", "ого", "его")


def _noun_genitive(word: str, accusative: bool = True) -> str:
    """The genitive of a noun in the accusative (or, `accusative` false, the nominative); a noun already
    in another case («картой», «в банке» never gets here) stays."""
    lower = word.lower()
    if lower in _PLURALS:
        return _PLURALS[lower]
    if lower.endswith(_OBLIQUE):
        return word
    after_hush = len(lower) > 1 and lower[-2] in "гкхжшчщ"
    if lower.endswith(("ние", "тие", "вие", "ье")):
        return word[:-1] + "я"
    if lower.endswith("ия"):
        return word[:-1] + "и"
    if lower.endswith("у") or (lower.endswith("а") and not accusative):
        return word[:-1] + ("и" if after_hush else "ы")
    if lower.endswith("ю") or (lower.endswith("я") and not accusative):
        return word[:-1] + "и"
    if lower.endswith("о"):
        return word[:-1] + "а"
    if lower.endswith("ы"):
        return word[:-1] + "ов"
    if lower.endswith("и"):
        return word[:-1] + ("ей" if lower[-2:-1] in "жшчщ" else "ов")
    if lower.endswith("ь"):
        return word[:-1] + "я" if lower in _SOFT_MASCULINE else word
    if lower.endswith("й"):
        return word[:-1] + "я"
    if lower[-1] in "бвгджзклмнпрстфхцчшщ":
        return word + "а"
    return word


def _capitalised(text: str) -> str:
    return text[:1].upper() + text[1:]
