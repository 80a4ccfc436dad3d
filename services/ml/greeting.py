"""A reply to a customer opens with a greeting, by name when the customer gave a usable one; a reply made
without an LLM also ends with a closing line.

Composed replies (the LLM's and the template answers) often start straight with the facts; a support desk
greets first. A reply that greets already keeps its greeting, with the name added when it has none. A reply
that already invites further questions keeps its own ending."""

from __future__ import annotations

import re

_GREETED = re.compile(
    r"^\s*(здравствуй|добр(ый|ое|ого)\s+(день|утро|вечер|утра|дня|вечера)|привет|приветствую|доброго времени"
    r"|hello|hi\b|hey\b|good\s+(morning|afternoon|evening|day)|dear\b|greetings)",
    re.IGNORECASE,
)
# A name to address someone by: letters (any script), inner spaces, hyphens and apostrophes; no digits,
# no links, nothing a nickname-like "xX_pro_Xx" would bring.
_NAME = re.compile(r"^[^\W\d_]+(?:[ '’-][^\W\d_]+){0,2}$")
MAX_NAME_CHARS = 40

GREETINGS = {"ru": ("Здравствуйте, {name}!", "Здравствуйте!"), "en": ("Hello, {name}!", "Hello!")}
# A greeting with no name after it («Здравствуйте!», "Good morning."): the name goes in before the mark.
_BARE_GREETING = re.compile(
    r"^(\s*(?:здравствуйте|добрый\s+(?:день|вечер)|доброе\s+утро|hello|hi|good\s+(?:morning|afternoon|evening)))"
    r"\s*([!.])",
    re.IGNORECASE,
)


def usable_name(name: str) -> str:
    """The name as it may be written in a greeting, or "" when it is not a name."""
    name = " ".join(name.split())
    if not name or len(name) > MAX_NAME_CHARS or not _NAME.match(name):
        return ""
    return name[0].upper() + name[1:]


def with_greeting(text: str, language: str, name: str = "") -> str:
    """`text` opening with a greeting in `language` (Russian unless English), by name when usable."""
    body = text.strip()
    addressed = usable_name(name)
    if not body:
        return body
    if _GREETED.match(body):
        # «Здравствуйте!» -> «Здравствуйте, Иван!»; a greeting that names someone already stays as it is.
        return _BARE_GREETING.sub(rf"\1, {addressed}\2", body, count=1) if addressed else body
    named, plain = GREETINGS["en" if language == "en" else "ru"]
    greeting = named.format(name=addressed) if addressed else plain
    return f"{greeting} {body}"


CLOSINGS = {"ru": "Если останутся вопросы — пишите.", "en": "If you have any other questions, just write."}
# Endings that already invite the customer back («Обращайтесь!», «Если остались вопросы, звоните…»).
_CLOSED = re.compile(
    r"(?:обращайтесь|пишите|остал(?:ись|ось|ся)\s+вопрос|останутся\s+вопрос|будем\s+рады\s+помочь"
    r"|any\s+(?:other|more|further)\s+questions|feel\s+free|let\s+us\s+know)[^.!?]*[.!?]*\s*$",
    re.IGNORECASE,
)


def with_closing(text: str, language: str) -> str:
    """`text` ending with a closing line in `language` (Russian unless English), on a line of its own."""
    body = text.strip()
    if not body or _CLOSED.search(body):
        return body
    return f"{body}\n\n{CLOSINGS['en' if language == 'en' else 'ru']}"
