"""Telegram's HTML parse mode: check the tags it allows and render what a person would read."""

from __future__ import annotations

import html
from html.parser import HTMLParser

ALLOWED_TAGS = {
    "b",
    "strong",
    "i",
    "em",
    "u",
    "ins",
    "s",
    "strike",
    "del",
    "span",
    "tg-spoiler",
    "a",
    "code",
    "pre",
    "blockquote",
    "tg-emoji",
}


class ParseError(ValueError):
    pass


class _Checker(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ALLOWED_TAGS:
            raise ParseError(f'can\'t parse entities: unsupported start tag "{tag}"')
        self.stack.append(tag)

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            raise ParseError(f"can't parse entities: can't find end tag corresponding to \"{tag}\"")
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def render(text: str, parse_mode: str | None) -> str:
    """The plain text a person reads; raises ParseError where Telegram would refuse."""
    if not parse_mode or parse_mode.upper() != "HTML":
        return text
    checker = _Checker()
    checker.feed(text)
    checker.close()
    if checker.stack:
        raise ParseError(f'can\'t parse entities: unclosed start tag "{checker.stack[-1]}"')
    return "".join(checker.parts)


def escape(text: str) -> str:
    return html.escape(text, quote=False)
