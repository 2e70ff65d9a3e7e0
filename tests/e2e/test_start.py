"""/start, /help and /language through the real bot and the emulator."""

from __future__ import annotations

from sqlalchemy import select

from bot.app import App
from storage.models import Person, Role
from tests.emulator import TelegramEmulator


async def _person(app: App, tg_id: int) -> Person:
    async with app.database.sessions() as session:
        person = await session.scalar(select(Person).where(Person.tg_id == tg_id))
    assert person is not None
    return person


async def test_start_greets_in_chinese_with_a_menu(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    alice = emulator.user(1001, "李四", language_code="zh-hans")
    reply = await alice.ask("/start")
    assert reply.text is not None
    assert "您好，李四" in reply.text
    assert "119" in reply.text
    assert ["❓ 帮助", "🌐 语言 / Language"] in reply.keyboard
    person = await _person(bot_app, 1001)
    assert person.role == Role.RESIDENT
    assert person.tg_language == "zh-hans"


async def test_start_greets_in_english_for_english_users(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    bob = emulator.user(1002, "Bob", language_code="en")
    reply = await bob.ask("/start")
    assert reply.text is not None
    assert reply.text.startswith("Hello, Bob!")
    assert ["❓ Help", "🌐 语言 / Language"] in reply.keyboard
