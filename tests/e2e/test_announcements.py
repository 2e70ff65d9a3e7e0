"""A case filed and then not announced (the process stopped between the two): the clock announces
it, once, however many instances run; a case announced as usual is left alone."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest

from app.admin_cli import DEMO_FILE
from app.wiring import App
from bot.cases.announcements import announce_owed
from bot.cases.desk import Desk
from bot.people import staff
from bot.places.areas import import_file
from storage.models import Role
from tests.e2e.flows import all_cases, choose, fill_report
from tests.e2e.test_desk import IN_JN01_1, card_of
from tests.emulator import TelegramEmulator
from tests.helpers import eventually

OFFICER = 8801


async def _announced(app: App) -> bool:
    return all(case.announced_at is not None for case in await all_cases(app))


@pytest.fixture
async def street(bot_app: App) -> App:
    await import_file(bot_app.database, DEMO_FILE)
    await staff.appoint(bot_app.database, OFFICER, Role.OFFICER, "JN01-1")
    return bot_app


async def test_a_normal_filing_is_announced_once(emulator: TelegramEmulator, street: App) -> None:
    resident = emulator.user(8811, "常")
    await choose(resident, await fill_report(resident, place=IN_JN01_1, photos=0), "✅ 提交")
    await card_of(emulator.user(OFFICER, "官"))
    assert await eventually(lambda: _announced(street))
    [case] = await all_cases(street)
    assert case.submitted_at is not None
    assert await announce_owed(street.desk, now=case.submitted_at + timedelta(minutes=3)) == 0


@pytest.mark.expect_traceback  # the stop after filing is simulated by a failure, logged
async def test_a_case_filed_but_not_announced_is_announced_by_the_clock(
    emulator: TelegramEmulator, street: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    resident, officer = emulator.user(8812, "断"), emulator.user(OFFICER, "官")

    async def stopped(self: Desk, case: object) -> int:
        raise RuntimeError("the process stopped here")

    monkeypatch.setattr(Desk, "dispatch", stopped)
    summary = await fill_report(resident, place=IN_JN01_1, photos=0)
    query = await resident.press(summary, "✅ 提交")
    await resident.next_message(timeout=10)  # the confirmation
    await resident.callback_answer(query)  # the apology
    [case] = await all_cases(street)
    assert case.number is not None
    assert case.submitted_at is not None
    assert case.announced_at is None  # filed, never announced
    monkeypatch.undo()

    now = case.submitted_at + timedelta(minutes=1)
    assert await announce_owed(street.desk, now=now) == 0  # too soon: it may be on its way
    later = case.submitted_at + timedelta(minutes=3)
    counts = await asyncio.gather(
        announce_owed(street.desk, later), announce_owed(street.desk, later)
    )
    assert sorted(counts) == [0, 1]  # two instances, one announcement
    card = await card_of(officer)
    assert case.number in (card.text or "")
    told = await resident.next_message(timeout=10)
    assert case.number in (told.text or "")
    [case] = await all_cases(street)
    assert case.announced_at is not None
    assert await announce_owed(street.desk, later + timedelta(minutes=10)) == 0
