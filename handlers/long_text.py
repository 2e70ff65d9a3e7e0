"""Answering with many lines: split between lines into messages within Telegram's limit."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.types import Message

from bot.telegram import MESSAGE_LIMIT


def chunks(lines: Iterable[str], limit: int = MESSAGE_LIMIT) -> list[str]:
    """The lines joined into as few texts as fit `limit`, never cutting a line (or its tags)."""
    texts: list[str] = []
    current = ""
    for line in lines:
        line = line[:limit]
        if current and len(current) + 1 + len(line) > limit:
            texts.append(current)
            current = line
        else:
            current = f"{current}\n{line}" if current else line
    return [*texts, current] if current else texts


async def answer_lines(message: Message, lines: Iterable[str]) -> None:
    for text in chunks(lines):
        await message.answer(text)
