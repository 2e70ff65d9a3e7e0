"""Texts shown to people, looked up by key in gettext catalogues (one .po file per language).

The msgids are keys (`start.greeting`); each catalogue gives the text in its language. Values
put into a text are HTML-escaped, because every message is sent with HTML parse mode.
"""

from __future__ import annotations

import html
import re
import string
from collections.abc import Iterable
from functools import lru_cache
from pathlib import Path

from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).with_name("locales")
LANGUAGES = ("zh", "en")


class Markup(str):
    """Text that is already HTML and must not be escaped again."""

    __slots__ = ()


class TextRef(str):
    """A value that is itself a text key, filled in the reader's language (e.g. a role name)."""

    __slots__ = ()


class Catalogue:
    """All texts of all languages, loaded once."""

    def __init__(self, texts: dict[str, dict[str, str]], default_language: str = "zh") -> None:
        self.texts = texts
        self.default_language = default_language

    @classmethod
    def load(cls, default_language: str = "zh", directory: Path = LOCALES_DIR) -> Catalogue:
        return cls(_read_catalogues(directory), default_language)

    @property
    def languages(self) -> tuple[str, ...]:
        return tuple(self.texts)

    def language_for(self, chosen: str | None, telegram_code: str | None) -> str:
        """The person's chosen language, else their Telegram language, else the default."""
        if chosen in self.texts:
            return chosen
        base = (telegram_code or "").split("-")[0].lower()
        return base if base in self.texts else self.default_language

    def get(self, language: str, key: str, **values: object) -> str:
        """The text `key` in `language` (falling back to the default), with `values` filled in."""
        text = self.texts.get(language, {}).get(key) or self.texts[self.default_language].get(key)
        if text is None:
            raise KeyError(f"no text {key!r}")
        if not values:
            return text
        filled = {
            name: self.get(language, value) if isinstance(value, TextRef) else _escape(value)
            for name, value in values.items()
        }
        return text.format(**filled)

    def every(self, key: str) -> set[str]:
        """The text `key` in every language (to recognise a menu button whatever the language)."""
        return {texts[key] for texts in self.texts.values() if key in texts}

    def sub_command(self, command: str, typed: str, choices: Iterable[str]) -> str | None:
        """Which of `choices` the sub-word `typed` names (`/volunteers 添加` or `add`): each
        choice's words are the texts `{command}.word_{choice}` in every language (several of
        one language separated by `|`: 今天|今日), compared without case; None when it names
        none of them."""
        wanted = typed.strip().lower()
        for choice in choices:
            if wanted in self.words(f"{command}.word_{choice}"):
                return choice
        return None

    def words(self, key: str) -> set[str]:
        """The words of the text `key` in every language, lower case (`|` separates several)."""
        return {word.lower() for text in self.every(key) for word in text.split("|")}

    def translator(self, language: str) -> Translator:
        return Translator(self, language)

    def translator_for(self, chosen: str | None, telegram_code: str | None) -> Translator:
        """The translator of a person: their chosen language, else their Telegram language."""
        return Translator(self, self.language_for(chosen, telegram_code))


class Translator:
    """The catalogue bound to one person's language: `t("key", name=...)`."""

    __slots__ = ("catalogue", "language")

    def __init__(self, catalogue: Catalogue, language: str) -> None:
        self.catalogue = catalogue
        self.language = language

    def __call__(self, key: str, **values: object) -> str:
        return self.catalogue.get(self.language, key, **values)


def _escape(value: object) -> object:
    if isinstance(value, Markup) or not isinstance(value, str):
        return value
    return html.escape(value, quote=False)


def plain(html_text: str, chars: int) -> str:
    """A short plain-text preview of Telegram HTML (tags dropped, entities read; a value to be
    escaped again when shown), cut at `chars` with "…"."""
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", "", html_text)).split())
    return text if len(text) <= chars else text[:chars] + "…"


def placeholders(text: str) -> set[str]:
    """The names of the `{placeholders}` of a text."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@lru_cache(maxsize=4)
def _read_catalogues(directory: Path) -> dict[str, dict[str, str]]:
    texts: dict[str, dict[str, str]] = {}
    for language in LANGUAGES:
        with (directory / f"{language}.po").open("rb") as file:
            catalogue = read_po(file, locale=language)
        texts[language] = {str(m.id): str(m.string) for m in _messages(catalogue) if m.string}
    return texts


def _messages(catalogue: Iterable) -> Iterable:  # type: ignore[type-arg]
    return (message for message in catalogue if message.id)
