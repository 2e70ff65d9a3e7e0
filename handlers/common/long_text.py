"""Answering with many lines: split between lines into messages within Telegram's limit."""

from __future__ import annotations

from collections.abc import Iterable

from aiogram.types import Message

from bot.telegram.session import MESSAGE_LIMIT


def chunks(lines: Iterable[str], limit: int = MESSAGE_LIMIT, separator: str = "\n") -> list[str]:
    """The lines (or blocks) joined by `separator` into as few texts as fit `limit`, never
    cutting one that fits a message by itself (nor its tags)."""
    texts: list[str] = []
    for line in lines:
        line = line[:limit]
        if texts and len(texts[-1]) + len(separator) + len(line) <= limit:
            texts[-1] += separator + line
        else:
            texts.append(line)
    return texts


async def answer_lines(message: Message, lines: Iterable[str], separator: str = "\n") -> None:
    for text in chunks(lines, separator=separator):
        await message.answer(text)
