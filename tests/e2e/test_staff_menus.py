"""Each role has its own menu under the input field, in its language, and its buttons do what
the commands do: officers their queue, patrol and duty; leads and admins their queue, figures,
map and notices. A resident who types a staff button's words gets nothing of staff."""

from __future__ import annotations

import pytest

from app.admin_cli import DEMO_FILE
from app.wiring import App
from bot.people import staff
from bot.places.areas import import_file
from sandbox.emulator import TelegramEmulator
from storage.models import Role
from tests.e2e.flows import choose

OFFICER, LEAD, ADMIN = 8731, 8732, 900001


@pytest.fixture
async def street(bot_app: App) -> App:
    await import_file(bot_app.database, DEMO_FILE)
    await staff.appoint(bot_app.database, OFFICER, Role.OFFICER, "JN01-1")
    await staff.appoint(bot_app.database, LEAD, Role.LEAD, "JN01")
    return bot_app


async def test_an_officer_has_the_officers_menu(emulator: TelegramEmulator, street: App) -> None:
    officer = emulator.user(OFFICER, "官")
    menu = await officer.ask("/start")
    assert menu.keyboard == [
        ["📋 待办案件", "🚶 巡查上报"],
        ["🟢 上班", "🔴 下班"],
        ["❓ 帮助", "🌐 语言 / Language"],
    ]
    assert "没有待办" in ((await officer.ask("📋 待办案件")).text or "")
    assert "离岗" in ((await officer.ask("🔴 下班")).text or "")
    assert "已上岗" in ((await officer.ask("🟢 上班")).text or "")
    patrol = await officer.ask("🚶 巡查上报")
    assert "巡查登记" in (patrol.text or "")
    assert (await officer.next_message()).buttons  # the categories of the officer's own find


async def test_a_lead_and_an_admin_have_theirs(emulator: TelegramEmulator, street: App) -> None:
    lead = emulator.user(LEAD, "张")
    menu = await lead.ask("/start")
    assert menu.keyboard == [
        ["📋 待办案件", "🚶 巡查上报"],
        ["📊 统计", "🗺 地图"],
        ["📢 通知", "❓ 帮助"],
        ["🌐 语言 / Language"],
    ]
    figures = (await lead.ask("📊 统计", timeout=30)).text or ""
    assert "幸福社区" in figures
    assert (await lead.ask("🗺 地图", timeout=30)).photo is not None
    admin = emulator.user(ADMIN, "管")
    languages = await admin.ask("/language")
    menu = await choose(admin, languages, "English")
    assert menu.keyboard == [
        ["📋 My queue", "📊 Figures"],
        ["🗺 Map", "📢 Notices"],
        ["❓ Help", "🌐 语言 / Language"],
    ]


async def test_a_resident_keeps_the_residents_menu(emulator: TelegramEmulator, street: App) -> None:
    resident = emulator.user(8733, "民")
    menu = await resident.ask("/start")
    assert menu.keyboard == [
        ["📝 我要报事", "📋 我的案件"],
        ["🐕 我的犬只", "❓ 帮助"],
        ["🌐 语言 / Language"],
    ]
    answer = await resident.ask("📊 统计")
    assert "立案" not in (answer.text or "")


async def test_each_menu_button_is_a_command_that_help_lists(
    emulator: TelegramEmulator, street: App
) -> None:
    """A lead's menu offers 🚶 巡查上报: their /help names /patrol too."""
    lead = emulator.user(LEAD, "张")
    await lead.ask("/start")
    assert "/patrol — 巡查发现的问题" in ((await lead.ask("/help")).text or "")
