"""Message text as Telegram handles it: entity offsets in UTF-16 code units, bot commands, parse modes."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

Entity = dict[str, Any]

_COMMAND = re.compile(r"(?<![\w/])/[A-Za-z0-9_]{1,32}(?:@[A-Za-z0-9_]{3,32})?(?![\w/])")
_URL = re.compile(r"\bhttps?://[^\s<>\"']+", re.IGNORECASE)


class EntityParseError(ValueError):
    """The text does not parse in its parse_mode (Telegram: "Bad Request: can't parse entities: …")."""


def utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def auto_entities(text: str) -> list[Entity]:
    """The entities Telegram detects by itself in what a user types: bot commands and URLs."""
    found: list[Entity] = []
    for pattern, kind in ((_COMMAND, "bot_command"), (_URL, "url")):
        for match in pattern.finditer(text):
            found.append(
                {
                    "type": kind,
                    "offset": utf16_len(text[: match.start()]),
                    "length": utf16_len(match.group(0)),
                }
            )
    return sorted(found, key=lambda entity: (entity["offset"], entity["length"]))


def parse_text(text: str, parse_mode: str | None) -> tuple[str, list[Entity]]:
    """Plain text and entities of `text` written in `parse_mode` (None, HTML, MarkdownV2 or Markdown)."""
    if not parse_mode:
        return text, []
    mode = parse_mode.lower()
    if mode == "html":
        return _parse_html(text)
    if mode == "markdownv2":
        return _parse_markdown(text, strict=True)
    if mode == "markdown":
        return _parse_markdown(text, strict=False)
    raise EntityParseError(f"unsupported parse_mode {parse_mode!r}")


_HTML_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "code": "code",
    "pre": "pre",
    "a": "text_link",
    "tg-spoiler": "spoiler",
    "span": "spoiler",
    "blockquote": "blockquote",
}


class _HtmlEntities(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text = ""
        self.entities: list[Entity] = []
        self.open: list[tuple[str, int, dict[str, str]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _HTML_TAGS:
            raise EntityParseError(f'Unsupported start tag "{tag}"')
        self.open.append((tag, utf16_len(self.text), {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        if not self.open or self.open[-1][0] != tag:
            raise EntityParseError(f'Unmatched end tag "{tag}"')
        _tag, start, attrs = self.open.pop()
        entity: Entity = {"type": _HTML_TAGS[tag], "offset": start, "length": utf16_len(self.text) - start}
        if tag == "a":
            entity["url"] = attrs.get("href", "")
        if entity["length"] > 0:
            self.entities.append(entity)

    def handle_data(self, data: str) -> None:
        self.text += data


def _parse_html(text: str) -> tuple[str, list[Entity]]:
    parser = _HtmlEntities()
    parser.feed(text)
    parser.close()
    if parser.open:
        raise EntityParseError(f'Can\'t find end tag corresponding to start tag "{parser.open[-1][0]}"')
    return parser.text, sorted(parser.entities, key=lambda entity: int(entity["offset"]))


_MARKS: tuple[tuple[str, str], ...] = (
    ("```", "pre"),
    ("||", "spoiler"),
    ("__", "underline"),
    ("*", "bold"),
    ("_", "italic"),
    ("~", "strikethrough"),
    ("`", "code"),
)
_RESERVED = set("_*[]()~`>#+-=|{}.!")


def _parse_markdown(text: str, *, strict: bool) -> tuple[str, list[Entity]]:
    """MarkdownV2 (strict: reserved characters must be escaped) or legacy Markdown, without nesting rules."""
    out = ""
    entities: list[Entity] = []
    open_marks: dict[str, int] = {}
    index = 0
    while index < len(text):
        char = text[index]
        if char == "\\" and strict and index + 1 < len(text):
            out += text[index + 1]
            index += 2
            continue
        mark = next((m for m in _MARKS if text.startswith(m[0], index)), None)
        if mark is not None and (strict or mark[0] in ("*", "_", "`", "```")):
            symbol, kind = mark
            if kind in open_marks:
                start = open_marks.pop(kind)
                if utf16_len(out) > start:
                    entities.append({"type": kind, "offset": start, "length": utf16_len(out) - start})
            else:
                open_marks[kind] = utf16_len(out)
            index += len(symbol)
            continue
        if char == "[":
            close = text.find("](", index)
            end = text.find(")", close + 2) if close >= 0 else -1
            if close < 0 or end < 0:
                raise EntityParseError(f"Can't find end of TextUrl entity at byte offset {index}")
            label = text[index + 1 : close]
            start = utf16_len(out)
            out += label.replace("\\", "") if strict else label
            entities.append(
                {
                    "type": "text_link",
                    "offset": start,
                    "length": utf16_len(out) - start,
                    "url": text[close + 2 : end],
                }
            )
            index = end + 1
            continue
        if strict and char in _RESERVED:
            raise EntityParseError(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        out += char
        index += 1
    if open_marks:
        kind = next(iter(open_marks))
        raise EntityParseError(f"Can't find end of {kind.title()} entity at byte offset {len(out)}")
    return out, sorted(entities, key=lambda entity: int(entity["offset"]))
