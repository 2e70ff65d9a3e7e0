"""Staff commands: the queue by deadline, a case by number, on and off duty, invites in chat."""

from __future__ import annotations

import pytest

from app.admin_cli import DEMO_FILE
from app.wiring import App
from bot.people import staff
from bot.places.areas import import_file
from sandbox.emulator import TelegramEmulator
from storage.models import Role
from tests.e2e.flows import file_report
from tests.e2e.test_desk import IN_JN01_1, card_of


@pytest.fixture
async def street(bot_app: App) -> App:
    await import_file(bot_app.database, DEMO_FILE)
    await staff.appoint(bot_app.database, 8401, Role.OFFICER, "JN01-1")
    await staff.appoint(bot_app.database, 8402, Role.LEAD, "JN01")
    return bot_app


async def test_queue_case_and_duty(emulator: TelegramEmulator, street: App) -> None:
    officer, lead = emulator.user(8401, "李网格"), emulator.user(8402, "社区张")
    resident = emulator.user(8403, "居民")
    assert (await officer.ask("/queue")).text == "没有待办的案件。"
    await file_report(resident, place=IN_JN01_1, photos=0)
    await card_of(officer)
    queue = await officer.ask("/queue")
    assert queue.text is not None
    assert "• JN-000001 · 待受理 · 时限" in queue.text
    for typed in ("5", "000005", "JN-5", "XY-000001", "1x"):  # none of them is this case
        assert "JN-000001" not in ((await officer.ask(f"/case {typed}")).text or "")
    for typed in ("1", "000001", "JN-1", "jn - 1"):  # as people type the number
        assert "JN-000001" in ((await officer.ask(f"/case {typed}")).text or "")
    card = await officer.ask("/case jn-000001")
    assert card.buttons[0] == ["✅ 受理"]
    assert "办理经过" in (card.text or "")
    assert "提交登记 · 居民" in (card.text or "")
    await officer.press(card, "✅ 受理")
    await emulator.wait_for(lambda: "办理中" in (card.text or ""), 5)
    assert "受理" in ((await resident.next_message()).text or "")

    assert (await officer.ask("/offduty")).text is not None
    await file_report(
        resident, category="🧹 市容环境", answers=("垃圾堆放",), place=IN_JN01_1, photos=0
    )
    second = await card_of(lead)  # the officer is off duty: the lead gets it
    assert "JN-000002" in (second.text or "")
    await officer.expect_silence(0.3)
    await officer.ask("/onduty")
    lead_queue = await lead.ask("/queue")
    assert "JN-000001" in (lead_queue.text or "")
    assert "JN-000002" in (lead_queue.text or "")


async def test_residents_and_strangers_cannot_use_staff_tools(
    emulator: TelegramEmulator, street: App
) -> None:
    resident = emulator.user(8404, "居民")
    for command in ("/queue", "/case JN-000001", "/offduty", "/invite officer JN01-1"):
        assert (await resident.ask(command)).text == "抱歉，您没有权限进行这个操作。"
    officer = emulator.user(8401, "李网格")
    assert (await officer.ask("/case JN-999999")).text == "找不到这个案件。"


async def test_invites_in_chat(emulator: TelegramEmulator, street: App) -> None:
    lead = emulator.user(8402, "社区张")
    made = await lead.ask("/invite officer JN01-2")
    assert "https://t.me/test_minqing_bot?start=inv_" in (made.text or "")
    refused = await lead.ask("/invite officer JN05-1")  # another community
    assert refused.text == "抱歉，您没有权限进行这个操作。"
    assert "用法" in ((await lead.ask("/invite")).text or "")
    link = (made.text or "").split("start=")[1].strip()
    newcomer = emulator.user(8405, "新网格员")
    assert (await newcomer.ask(f"/start {link}")).text == "欢迎！您现在是幸福社区第二网格的网格员。"


async def test_audit_trail_for_leads_and_admins(emulator: TelegramEmulator, street: App) -> None:
    officer, lead = emulator.user(8401, "李网格"), emulator.user(8402, "社区张")
    resident = emulator.user(8406, "居民王")
    await file_report(resident, place=IN_JN01_1, photos=0)
    card = await card_of(officer)
    await officer.press(card, "✅ 受理")
    await emulator.wait_for(lambda: "办理中" in (card.text or ""), 5)
    trail = await lead.ask("/audit JN-000001")
    assert trail.text is not None
    lines = trail.text.splitlines()
    assert lines[0] == "案件 JN-000001 全过程"
    assert lines[1].endswith("提交登记 · 居民")  # a lead does not see the resident's name
    assert lines[2].endswith("网格员受理 · 网格员 李网格")
    assert (await officer.ask("/audit JN-000001")).text == "抱歉，您没有权限进行这个操作。"


async def test_a_backup_gets_the_grid_while_its_officer_is_off_duty(
    emulator: TelegramEmulator, street: App
) -> None:
    await staff.appoint(street.database, 8407, Role.OFFICER, "JN01-1", backup=True)
    officer, backup, lead = (
        emulator.user(8401, "李网格"),
        emulator.user(8407, "备岗"),
        emulator.user(8402, "社区张"),
    )
    resident = emulator.user(8408, "居民")
    await file_report(resident, place=IN_JN01_1, photos=0)
    await card_of(officer)
    await backup.expect_silence(0.3)  # the officer is on duty: the backup is not bothered
    await officer.ask("/offduty")
    await file_report(
        resident, category="🧹 市容环境", answers=("垃圾堆放",), place=IN_JN01_1, photos=0
    )
    assert "JN-000002" in ((await card_of(backup)).text or "")
    await lead.expect_silence(0.3)
