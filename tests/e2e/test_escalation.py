"""The clock: reminders to the officer, then the lead, then the street; once each, even when
two ticks run at the same moment; quiet hours hold the non-urgent ones."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import select

from app.admin_cli import DEMO_FILE
from app.wiring import App
from bot.deadlines.digest import daily_digest
from bot.deadlines.escalation import sla_tick
from bot.people import staff
from bot.places.areas import import_file
from sandbox.emulator import TelegramEmulator
from storage.models import CaseEvent, Role
from tests.e2e.flows import all_cases, file_report, report_danger
from tests.e2e.test_desk import IN_JN01_1, card_of


@pytest.fixture
async def street(bot_app: App) -> App:
    await import_file(bot_app.database, DEMO_FILE)
    await staff.appoint(bot_app.database, 8501, Role.OFFICER, "JN01-1")
    await staff.appoint(bot_app.database, 8502, Role.LEAD, "JN01")
    await staff.appoint(bot_app.database, 8503, Role.ADMIN)
    return bot_app


async def test_reminders_then_lead_then_street_once_each(
    emulator: TelegramEmulator, street: App
) -> None:
    officer, lead, admin = (
        emulator.user(i, n) for i, n in ((8501, "李"), (8502, "张"), (8503, "王"))
    )
    resident = emulator.user(8504, "居民")
    await file_report(resident, place=IN_JN01_1, photos=0)  # fire hazard: accept within 30 min
    await card_of(officer)
    [case] = await all_cases(street)
    assert case.submitted_at is not None
    tz, at = street.settings.tz, case.submitted_at

    async def tick(minutes: int) -> int:
        return await sla_tick(
            street.database, street.desk, None, tz, at + timedelta(minutes=minutes)
        )

    assert await tick(10) == 0
    assert await tick(16) == 1
    assert "还没有受理" in ((await officer.next_message()).text or "")
    assert await tick(17) == 0  # no second reminder for the same step
    assert await tick(28) == 1
    await officer.next_message()
    results = await asyncio.gather(tick(31), tick(31))  # two instances, one escalation
    assert sorted(results) == [0, 1]
    lead_card = await card_of(lead)  # one message: why it reaches them, and the card
    assert "已上报给您" in (lead_card.text or "")
    assert "📋" in (lead_card.text or "")
    assert lead_card.buttons[0] == ["✅ 受理"]
    await lead.expect_silence(0.3)
    await admin.expect_silence(0.2)
    assert await tick(61) == 1
    assert "已上报给您" in ((await card_of(admin)).text or "")
    assert await tick(600) == 0
    async with street.database.sessions() as session:
        notes = (
            await session.scalars(select(CaseEvent.note).where(CaseEvent.action == "escalate"))
        ).all()
    assert notes == ["accept overdue: to lead", "accept overdue: to street"]
    history = (await admin.ask(f"/case {case.number}")).text or ""
    assert "受理超时，已上报社区负责人" in history
    assert "受理超时，已上报街道" in history
    assert "overdue" not in history  # no code word reaches people

    await lead.press(lead_card, "✅ 受理")  # the lead takes it; the resolve clock starts
    await emulator.wait_for(lambda: "办理中" in (lead_card.text or ""), 5)
    [case] = await all_cases(street)
    assert case.escalation_level == 0


async def test_a_clock_that_comes_late_still_tells_the_lead(
    emulator: TelegramEmulator, street: App
) -> None:
    """Time jumps past twice the deadline in one go (a stopped bot, the sandbox's month):
    the case climbs to the lead and to the street, not straight to the street; the
    department's group is told each step as it is."""
    officer, lead, admin = (
        emulator.user(i, n) for i, n in ((8501, "李"), (8502, "张"), (8503, "王"))
    )
    group = emulator.group(-100501, "应急消防群")
    await group.send(admin, "/bindgroup emergency")
    assert "已绑定" in ((await group.next_message()).text or "")
    await file_report(emulator.user(8504, "居民"), place=IN_JN01_1, photos=0)
    await card_of(officer)
    [case] = await all_cases(street)
    assert case.submitted_at is not None
    later = case.submitted_at + timedelta(hours=3)  # accept within 30 minutes: long past twice
    assert await sla_tick(street.database, street.desk, None, street.settings.tz, later) == 2
    assert "已上报给您" in ((await card_of(lead)).text or "")
    assert "已上报给您" in ((await card_of(admin)).text or "")
    await officer.expect_silence(0.3)  # the reminders are past: none is sent late
    said = [(await group.next_message(timeout=10)).text or "" for _ in range(4)]  # the card too
    assert [text for text in said if text.startswith("⚠️")] == [
        f"⚠️ 案件 {case.number} 超过受理时限仍未受理，已上报社区负责人。",
        f"⚠️ 案件 {case.number} 超过受理时限两倍仍未受理，已上报街道。",
    ]
    async with street.database.sessions() as session:
        notes = (
            await session.scalars(select(CaseEvent.note).where(CaseEvent.action == "escalate"))
        ).all()
    assert notes == ["accept overdue: to lead", "accept overdue: to street"]


async def test_quiet_hours_hold_non_urgent_but_not_urgent(
    emulator: TelegramEmulator, street: App
) -> None:
    officer = emulator.user(8501, "李")
    resident = emulator.user(8505, "居民")
    await file_report(
        resident, category="🧹 市容环境", answers=("垃圾堆放",), place=IN_JN01_1, photos=0
    )
    await card_of(officer)
    [case] = await all_cases(street)
    tz = street.settings.tz
    night = datetime(2026, 11, 23, 23, 30, tzinfo=tz).astimezone(UTC)
    quiet = (time(22), time(7))
    async with street.database.transaction() as session:
        stored = await session.get(type(case), case.id)
        stored.submitted_at = night - timedelta(hours=3)
        stored.accept_due_at = night - timedelta(hours=1)
    assert await sla_tick(street.database, street.desk, quiet, tz, night) == 0  # held
    morning = datetime(2026, 11, 24, 7, 5, tzinfo=tz).astimezone(UTC)
    # Past twice the deadline by morning: to the lead, then the street.
    assert await sla_tick(street.database, street.desk, quiet, tz, morning) == 2
    await report_danger(resident, place=(30.6051, 104.0026))
    urgent = (await all_cases(street))[-1]
    async with street.database.transaction() as session:
        stored = await session.get(type(urgent), urgent.id)
        stored.submitted_at = night - timedelta(minutes=20)
        stored.accept_due_at = night + timedelta(minutes=10)
    assert await sla_tick(street.database, street.desk, quiet, tz, night) == 1  # urgent: now


async def test_the_morning_digest_once_a_day(emulator: TelegramEmulator, street: App) -> None:
    officer, lead = emulator.user(8501, "李"), emulator.user(8502, "张")
    resident = emulator.user(8506, "居民")
    await file_report(resident, place=IN_JN01_1, photos=0)  # fire: due in 30 minutes
    await card_of(officer)
    [case] = await all_cases(street)
    assert case.submitted_at is not None
    later = case.submitted_at + timedelta(hours=1)  # the accept deadline has passed
    tz = street.settings.tz
    sent = await daily_digest(street.database, street.bot, street.catalogue, tz, later)
    assert sent == 2  # the officer and the lead
    for person in (officer, lead):
        digest = await person.next_message()
        assert "已超时 1 件" in (digest.text or "")
        assert "• JN-000001" in (digest.text or "")
    assert await daily_digest(street.database, street.bot, street.catalogue, tz, later) == 0
