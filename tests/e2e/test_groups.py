"""Department groups: bound by an admin, they get their categories' cases; only the right
people may act on a card there, others only see."""

from __future__ import annotations

import asyncio

from app.admin_cli import DEMO_FILE
from app.wiring import App
from bot.people import staff
from bot.places.areas import import_file
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.client import BotMessage, TestGroup
from storage.models import Role
from tests.e2e.flows import file_report
from tests.e2e.test_desk import IN_JN01_1, card_of


async def group_card(group: TestGroup) -> BotMessage:
    while True:
        message = await group.next_message()
        if (message.text or "").startswith("📋"):
            return message


async def test_a_bound_group_gets_its_cases(emulator: TelegramEmulator, bot_app: App) -> None:
    await import_file(bot_app.database, DEMO_FILE)
    await staff.appoint(bot_app.database, 8601, Role.OFFICER, "JN01-1")
    group = emulator.group(-100777, "应急消防群")
    admin, member = emulator.user(900001, "街道管理员"), emulator.user(8602, "群成员")
    officer = emulator.user(8601, "李网格")

    await group.send(member, "/bindgroup emergency")
    assert (await group.next_message()).text == "抱歉，您没有权限进行这个操作。"
    await group.send(admin, "/bindgroup nowhere")
    listed = (await group.next_message()).text or ""
    assert (
        "可用的有：emergency（应急消防）、land（国土规划）、police（派出所）、urban（城管市容）"
        in listed
    )
    await group.send(admin, "/bindgroup emergency")
    bound = (await group.next_message()).text or ""
    assert "已绑定" in bound
    assert "“应急消防”" in bound  # its name, not its code

    resident = emulator.user(8603, "居民")
    await file_report(resident, place=IN_JN01_1, photos=0)  # a fire hazard: the emergency dept
    card = await group_card(group)
    assert "JN-000001" in (card.text or "")
    assert "居民" not in (card.text or "").split("反映人：")[0]
    nosy = await member.press_data(card, card.callback_data("✅ 受理"))
    assert (await member.callback_answer(nosy))["text"] == "抱歉，您不能对这个案件进行这个操作。"
    await officer.press_data(card, card.callback_data("✅ 受理"))  # an officer of the grid may
    await emulator.wait_for(lambda: "办理中" in (card.text or ""), 5)
    assert "受理" in ((await resident.next_message()).text or "")

    await file_report(
        resident, category="🧹 市容环境", answers=("垃圾堆放",), place=IN_JN01_1, photos=0
    )
    await group.expect_silence(0.3)  # sanitation is another department


async def test_a_group_card_sent_late_shows_what_happened_meanwhile(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    """The group's card is on its way (slow, a group's 20 a minute) when the officer accepts:
    it lands after the accept's edits, yet it says 办理中 and offers no Accept."""
    await import_file(bot_app.database, DEMO_FILE)
    await staff.appoint(bot_app.database, 8611, Role.OFFICER, "JN01-1")
    group, admin = emulator.group(-100778, "应急消防群"), emulator.user(900001, "街道管理员")
    await group.send(admin, "/bindgroup emergency")
    assert "已绑定" in ((await group.next_message()).text or "")
    held = emulator.hold("sendMessage", -100778)

    resident, officer = emulator.user(8612, "居民"), emulator.user(8611, "李网格")
    await file_report(resident, place=IN_JN01_1, photos=0)
    await asyncio.wait_for(held.reached.wait(), 10)  # the group's card is being sent
    card = await card_of(officer)
    await officer.press(card, "✅ 受理")
    assert "受理" in ((await resident.next_message(timeout=10)).text or "")
    await emulator.wait_for(lambda: "办理中" in (card.text or ""), 10)
    held.gate.set()

    late = await group_card(group)
    await emulator.wait_for(lambda: "办理中" in (late.text or ""), 10)
    assert not any("✅ 受理" in row for row in late.buttons)
