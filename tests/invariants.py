"""Promises every end-to-end test checks without asking, after it ends (the `bot_app` fixture):

- every button press was answered (no spinner left turning);
- no traceback reached the log, unless the test's `expect_traceback` marker excuses it (the
  ones whose text matches its `match=`, or all of them without one);
- nobody received a phone or ID-card number they did not write themselves, unless they are staff
  (or a department group), who see the cases of their area in full;
- no text key or unfilled placeholder reached a person.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable, Iterator
from typing import Any

from bot.texts import Catalogue
from sandbox.emulator import TelegramEmulator

PHONE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
ID_CARD = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


def _texts(record: dict[str, Any]) -> Iterator[str]:
    for key in ("text", "caption"):
        if isinstance(record.get(key), str):
            yield record[key]


def _bot_texts(emu: TelegramEmulator, chat: Any) -> Iterator[str]:
    for record in chat.sent:
        yield from _texts(record)
    for _, record in chat.events:
        yield from _texts(record)


def _written_by_people(chat: Any) -> str:
    return "\n".join(
        text
        for record in chat.messages.values()
        if not (record.get("from") or {}).get("is_bot")
        for text in _texts(record)
    )


def unanswered_buttons(emu: TelegramEmulator) -> list[str]:
    return [query for query in emu.callback_queries if query not in emu.callback_answers]


def leaked_numbers(emu: TelegramEmulator, staff_chats: Iterable[int]) -> list[str]:
    """Numbers a person was sent that they did not write (staff and groups aside)."""
    staff = set(staff_chats)
    found = []
    for chat in emu.chats.values():
        if chat.is_group or chat.id in staff:
            continue
        written = _written_by_people(chat)
        for text in _bot_texts(emu, chat):
            for pattern in (PHONE, ID_CARD):
                found += [
                    f"chat {chat.id}: {number}"
                    for number in pattern.findall(text)
                    if number not in written
                ]
    return found


def raw_texts(emu: TelegramEmulator, catalogue: Catalogue) -> list[str]:
    """Text keys and unfilled placeholders in what the bot sent."""
    keys = {key for texts in catalogue.texts.values() for key in texts}
    found = []
    for chat in emu.chats.values():
        for text in _bot_texts(emu, chat):
            words = set(re.findall(r"[a-z_]+(?:\.[a-z_]+)+", text))
            found += [f"chat {chat.id}: key {key}" for key in words & keys]
            found += [f"chat {chat.id}: {hole}" for hole in PLACEHOLDER.findall(text)]
    return found


def tracebacks(records: Iterable[logging.LogRecord]) -> list[str]:
    """Each logged traceback as `logger: message [exception type]`."""
    return [
        f"{record.name}: {record.getMessage()[:200]} [{_exception_type(record)}]"
        for record in records
        if record.exc_info or "Traceback (most recent call last)" in record.getMessage()
    ]


def _exception_type(record: logging.LogRecord) -> str:
    if record.exc_info and record.exc_info[0] is not None:
        return record.exc_info[0].__name__
    return "in the message"
