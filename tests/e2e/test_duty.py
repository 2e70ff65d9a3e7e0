"""/offduty says who will really get the grid's new cases meanwhile, by name: the grid's other
officers on duty, else its backup, else the community lead, else the street's admins; and
warns when nobody will."""

from __future__ import annotations

from app.admin_cli import DEMO_FILE
from app.wiring import App
from bot.people import staff
from bot.places.areas import import_file
from sandbox.emulator import TelegramEmulator
from storage.models import Role


async def test_off_duty_names_who_takes_the_grids_cases(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    await import_file(bot_app.database, DEMO_FILE)
    officer, backup = emulator.user(8751, "李"), emulator.user(8752, "王")
    await staff.appoint(bot_app.database, 8751, Role.OFFICER, "JN01-1")
    await staff.appoint(bot_app.database, 8752, Role.OFFICER, "JN01-1", backup=True)
    await officer.ask("/start")
    await backup.ask("/start")
    assert "网格员 王" in ((await officer.ask("/offduty")).text or "")
    lead = emulator.user(8753, "张")
    await staff.appoint(bot_app.database, 8753, Role.LEAD, "JN01")
    await lead.ask("/start")
    assert "社区负责人 张" in ((await backup.ask("/offduty")).text or "")
    assert "已上岗" in ((await backup.ask("/onduty")).text or "")
    assert "网格员 王" in ((await officer.ask("/offduty")).text or "")


async def test_off_duty_warns_when_nobody_gets_the_cases(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    await import_file(bot_app.database, DEMO_FILE)
    officer = emulator.user(8754, "孤")
    await staff.appoint(bot_app.database, 8754, Role.OFFICER, "JN02-1")
    await officer.ask("/start")
    assert "没有人会收到" in ((await officer.ask("/offduty")).text or "")
