"""A duty's new occurrence, its reminder and escalations are each taken once with what they owe
written in the same transaction: a process that stops between the change and the sending leaves
them to the clock, which sends each once after the lease, however many instances run."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from app.wiring import App
from bot.duties.watch import DutyWatch
from sandbox.emulator import TelegramEmulator
from tests.e2e.owed_checks import delivered_once, open_owed
from tests.e2e.test_desk import street
from tests.e2e.test_duties import COLLEAGUE, LEAD, OFFICER, define, next_thursday, said

__all__ = ["street"]  # the demo street with officers, on SQLite and PostgreSQL


async def _open(app: App) -> list[tuple[str, int | None]]:
    return [(row.kind, row.what) for row in await open_owed(app)]


async def _stopped_tick(watch: DutyWatch, at: datetime, monkeypatch: pytest.MonkeyPatch) -> None:
    """The clock's tick claims a step, and the process stops before sending it."""

    async def stopped(self: DutyWatch, *_: object) -> None:
        raise RuntimeError("the process stopped here")

    monkeypatch.setattr(DutyWatch, "_tell", stopped)
    with pytest.raises(RuntimeError):
        await watch.tick(at)
    monkeypatch.undo()


async def test_a_reminder_and_an_escalation_stopped_after_their_claim_go_out_later(
    emulator: TelegramEmulator, street: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    thursday = next_thursday()
    watch = await define(emulator, street)
    officer, colleague = emulator.user(OFFICER, "李网格"), emulator.user(COLLEAGUE, "王网格")
    lead = emulator.user(LEAD, "社区张")
    assert await watch.tick(thursday) == 1
    await said(officer, "新的例行任务")
    await said(colleague, "新的例行任务")

    reminded = thursday + timedelta(hours=18)
    await _stopped_tick(watch, reminded, monkeypatch)
    await officer.expect_silence(0.3)
    assert await _open(street) == [("duty.reminder", None)]
    assert await watch.tick(reminded) == 0  # claimed: the watch does not take it again
    await delivered_once(street, reminded)
    await said(officer, "还未完成")
    await said(colleague, "还未完成")
    await officer.expect_silence(0.3)

    late = thursday + timedelta(hours=24)
    await _stopped_tick(watch, late, monkeypatch)
    await lead.expect_silence(0.3)
    assert await _open(street) == [("duty.escalation", 1)]
    await delivered_once(street, late)
    await said(lead, "已超过截止时间")
    await lead.expect_silence(0.3)


async def test_an_occurrence_stopped_before_its_news_is_announced_later(
    emulator: TelegramEmulator, street: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The clock creates this period's occurrence and stops before telling its owners: the
    news is owed with the occurrence, so the clock tells them once after the lease."""
    thursday = next_thursday()
    watch = await define(emulator, street)
    officer, colleague = emulator.user(OFFICER, "李网格"), emulator.user(COLLEAGUE, "王网格")
    await _stopped_tick(watch, thursday, monkeypatch)
    await officer.expect_silence(0.3)
    assert await _open(street) == [("duty.new", None)]
    assert await watch.tick(thursday) == 0  # created: the watch does not create it again

    await delivered_once(street, thursday)
    for owner in (officer, colleague):
        await said(owner, "新的例行任务")
        await owner.expect_silence(0.3)  # once
