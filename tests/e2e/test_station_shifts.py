"""Fire station members' shifts through the real bot, on the moved clock: the admin sets them in
chat (politely refused when not understood); a member out of shift is not alerted, and a station
with nobody on duty brings in its backups and the lead at once; a member in shift is alerted."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta

from sqlalchemy import select

from app.wiring import App
from sandbox.emulator import TelegramEmulator
from storage.models import FireResponse
from storage.types import utcnow
from tests.e2e.flows import report_danger
from tests.e2e.test_desk import IN_JN01_1
from tests.e2e.test_fire_stations import (
    ADMIN,
    BACKUP,
    LEAD,
    OWN,
    RESIDENT,
    alert_of,
    said,
    street,
)

__all__ = ["street"]  # the demo street with three stations and their members

MoveClock = Callable[[timedelta], datetime]


async def _shifts_set(emulator: TelegramEmulator, app: App) -> None:
    admin = emulator.user(ADMIN, "管理员")
    await admin.send(f"/station shift 幸福站 {OWN} 周一-周五 08:00-20:00")
    saved = await said(admin, "的值班时段")  # the fixture's answers before it are skipped
    assert "周一，周二，周三，周四，周五 08:00–20:00" in (saved.text or "")
    bad = await admin.ask(f"/station shift 幸福站 {OWN} funday 08:00-20:00")
    assert "没看懂星期“funday”" in (bad.text or "")
    bad = await admin.ask(f"/station shift 幸福站 {OWN} mon 8-20")
    assert "没看懂时间“8-20”" in (bad.text or "")
    stranger = await admin.ask("/station shift 幸福站 8699 daily 08:00-20:00")
    assert "不是“幸福站”的队员" in (stranger.text or "")


def _to_local(clock: MoveClock, app: App, weekday: int, hour: int) -> None:
    """Move the clock to the next `weekday` (1 Monday) at `hour`, local time."""
    now = utcnow().astimezone(app.settings.tz)
    days = (weekday - now.isoweekday()) % 7 or 7
    clock(datetime.combine(now.date() + timedelta(days=days), time(hour), now.tzinfo) - now)


async def test_out_of_shift_nobody_is_alerted_and_the_backups_come_at_once(
    emulator: TelegramEmulator, street: App, clock: MoveClock
) -> None:
    await _shifts_set(emulator, street)
    _to_local(clock, street, 6, 10)  # Saturday 10:00
    admin = emulator.user(ADMIN, "管理员")
    await admin.send("/stations")
    listing = await said(admin, "微型消防站 ·")
    assert f"({OWN}) · 离岗 · 值班 周一，周二，周三，周四，周五 08:00–20:00" in (
        listing.text or ""
    ).replace("（", "(").replace("）", ")")

    own, backup = emulator.user(OWN, "队员甲"), emulator.user(BACKUP, "队员乙")
    lead = emulator.user(LEAD, "社区长")
    await report_danger(emulator.user(RESIDENT, "居民"), place=IN_JN01_1)
    help_call = await alert_of(backup)  # at once: no 60 s wait
    assert "“幸福站”此刻无人在岗" in (help_call.text or "")
    assert "无人在岗" in ((await said(lead, "无人出发")).text or "")
    async with street.database.sessions() as session:
        response = await session.scalar(select(FireResponse))
    assert response is not None
    assert response.escalated_at == response.alerted_at
    await own.expect_silence(0.5)  # out of shift: not alerted


async def test_in_shift_the_member_is_alerted(
    emulator: TelegramEmulator, street: App, clock: MoveClock
) -> None:
    await _shifts_set(emulator, street)
    _to_local(clock, street, 1, 9)  # Monday 09:00
    own, backup = emulator.user(OWN, "队员甲"), emulator.user(BACKUP, "队员乙")
    await report_danger(emulator.user(RESIDENT, "居民"), place=IN_JN01_1)
    alert = await alert_of(own)
    assert "“幸福站”请立即出动" in (alert.text or "")
    await backup.expect_silence(0.3)  # someone is on duty: the backups wait 60 s
    answer = await own.ask("/offduty")  # their own switch, until the shift ends
    assert "到下一个值班开始或结束时为止" in (answer.text or "")


async def test_the_sub_words_work_in_chinese(emulator: TelegramEmulator, street: App) -> None:
    """An admin types /station's sub-words in Chinese (登记, 队员, 班次, 移除); the usage and the
    Chinese help show them."""
    admin = emulator.user(ADMIN, "管理员")
    await admin.send("/station 登记 新站 JN01 30.605 104.0025")
    assert (await said(admin, "新站")).text == "🚒 微型消防站“新站”已登记。"
    added = await admin.ask("/station 队员 新站 8698")
    assert (added.text or "").startswith("✅ 8698 已加入“新站”")
    shifts = await admin.ask("/station 班次 新站 8698 周一-周五 08:00-20:00")
    assert "周一，周二，周三，周四，周五 08:00–20:00" in (shifts.text or "")
    assert (await admin.ask("/station 移除 新站 8698")).text == "✅ 8698 已移出“新站”。"
    usage = (await admin.ask("/station 拆除 新站")).text or ""
    assert "/station 班次 站名 TG编号 周一-周五 08:00-20:00" in usage
    assert "/station 登记 站名 社区代码 纬度 经度" in ((await admin.ask("/help")).text or "")
