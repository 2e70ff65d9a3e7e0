"""What a change of a case owes people (the filing's cards, the reporter's news, an escalation)
is written with the change: a process that stops before sending it leaves it to the clock, which
sends it once after the lease, however many instances run; what went out as usual is left alone."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import select

from app.admin_cli import DEMO_FILE
from app.clock import deliver_owed
from app.wiring import App
from bot.cases.desk import Desk
from bot.cases.news import Notifier
from bot.cases.owed import LEASE
from bot.deadlines.escalation import sla_tick
from bot.people import staff
from bot.places.areas import import_file
from sandbox.emulator import TelegramEmulator
from storage.models import CaseOwed, Role
from tests.e2e.flows import all_cases, file_report, fill_report
from tests.e2e.owed_checks import STOP_LOGGED, the_stop
from tests.e2e.test_desk import IN_JN01_1, card_of
from tests.helpers import eventually

OFFICER, LEAD = 8801, 8802
LATER = LEASE + timedelta(minutes=1)


async def _owed(app: App) -> list[CaseOwed]:
    """The rows still owed."""
    async with app.database.sessions() as session:
        return list(await session.scalars(select(CaseOwed).where(CaseOwed.done_at.is_(None))))


async def _nothing_owed(app: App) -> bool:
    return not await _owed(app)


@pytest.fixture
async def street(bot_app: App) -> App:
    await import_file(bot_app.database, DEMO_FILE)
    await staff.appoint(bot_app.database, OFFICER, Role.OFFICER, "JN01-1")
    await staff.appoint(bot_app.database, LEAD, Role.LEAD, "JN01")
    return bot_app


async def test_what_went_out_as_usual_is_owed_no_more(
    emulator: TelegramEmulator, street: App
) -> None:
    resident, officer = emulator.user(8811, "常"), emulator.user(OFFICER, "官")
    await file_report(resident, place=IN_JN01_1, photos=0)
    card = await card_of(officer)
    await officer.press(card, "✅ 受理")
    await resident.next_message(timeout=10)  # accepted
    assert await eventually(lambda: _nothing_owed(street), within=10)
    [case] = await all_cases(street)
    assert case.submitted_at is not None
    assert await deliver_owed(street.database, street.desk, case.submitted_at + LATER) == 0
    await officer.expect_silence(0.3)
    await resident.expect_silence(0.1)


@STOP_LOGGED
async def test_a_filing_stopped_before_its_cards_is_announced_by_the_clock(
    emulator: TelegramEmulator, street: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    resident, officer = emulator.user(8812, "断"), emulator.user(OFFICER, "官")

    async def stopped(self: Desk, case: object, **_: object) -> int:
        raise RuntimeError("the process stopped here")

    monkeypatch.setattr(Desk, "dispatch", stopped)
    summary = await fill_report(resident, place=IN_JN01_1, photos=0)
    query = await resident.press(summary, "✅ 提交")
    await resident.next_message(timeout=10)  # the confirmation
    await resident.callback_answer(query)  # answered before the cards are sent
    await the_stop(street)  # failed at the cards: undoing the stop cannot let them out now
    [case] = await all_cases(street)
    assert case.number is not None
    assert case.submitted_at is not None
    assert [row.kind for row in await _owed(street)] == [CaseOwed.ACTION]
    monkeypatch.undo()

    soon = case.submitted_at + timedelta(minutes=1)
    assert await deliver_owed(street.database, street.desk, soon) == 0  # it may be on its way
    later = case.submitted_at + LATER
    counts = await asyncio.gather(
        deliver_owed(street.database, street.desk, later),
        deliver_owed(street.database, street.desk, later),
    )
    assert sorted(counts) == [0, 1]  # two instances, one announcement
    card = await card_of(officer)
    assert case.number in (card.text or "")
    await resident.expect_silence(0.3)  # the confirmation went out before the stop: not again
    assert not await _owed(street)
    assert await deliver_owed(street.database, street.desk, later + LATER) == 0
    await officer.expect_silence(0.3)


@STOP_LOGGED
async def test_an_acceptance_whose_news_was_not_sent_reaches_the_reporter_later(
    emulator: TelegramEmulator, street: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    resident, officer = emulator.user(8813, "等"), emulator.user(OFFICER, "官")
    await file_report(resident, place=IN_JN01_1, photos=0)
    card = await card_of(officer)
    assert await eventually(lambda: _nothing_owed(street), within=10)

    async def stopped(self: Notifier, *_: object) -> int:
        raise RuntimeError("the process stopped here")

    monkeypatch.setattr(Notifier, "tell", stopped)
    query = await officer.press(card, "✅ 受理")
    await officer.callback_answer(query)
    await the_stop(street)
    await resident.expect_silence(0.3)
    monkeypatch.undo()
    [case] = await all_cases(street)
    assert case.accepted_at is not None
    assert await deliver_owed(street.database, street.desk, case.accepted_at + LATER) == 1
    news = await resident.next_message(timeout=10)
    assert case.number in (news.text or "")
    assert "受理" in (news.text or "")
    await emulator.wait_for(lambda: "办理中" in (card.text or ""), 10)  # the card is current
    await officer.expect_silence(0.3)  # no second card: the officer has one
    assert not await _owed(street)


async def test_an_escalation_that_was_not_sent_reaches_the_lead_later(
    emulator: TelegramEmulator, street: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    resident, lead = emulator.user(8814, "升"), emulator.user(LEAD, "张")
    await file_report(resident, place=IN_JN01_1, photos=0)  # fire hazard: accept within 30 min
    await card_of(emulator.user(OFFICER, "官"))
    assert await eventually(lambda: _nothing_owed(street), within=10)
    [case] = await all_cases(street)
    assert case.submitted_at is not None
    at = case.submitted_at + timedelta(minutes=31)

    async def stopped(self: Desk, *_: object, **__: object) -> int:
        raise RuntimeError("the process stopped here")

    monkeypatch.setattr(Desk, "tell_staff", stopped)
    with pytest.raises(RuntimeError):
        await sla_tick(street.database, street.desk, None, street.settings.tz, at)
    monkeypatch.undo()
    await lead.expect_silence(0.3)
    assert [(row.kind, row.phase) for row in await _owed(street)] == [(CaseOwed.WATCH, "accept")]
    assert await sla_tick(street.database, street.desk, None, street.settings.tz, at) == 0
    assert await deliver_owed(street.database, street.desk, at + LATER) == 1
    assert "已上报给您" in ((await card_of(lead)).text or "")
    assert not await _owed(street)
