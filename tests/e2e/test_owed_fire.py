"""A fire nobody set off for in 60 s: the escalation's claim writes the backups' alerts and the
lead's message as owed in its own transaction, so a process that stops right after the claim
leaves them to the clock, which sends them once after the lease, however many instances run."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta

import pytest

from app.wiring import App
from bot.stations.alerts import SEND_LEASE, Alerter
from sandbox.emulator import TelegramEmulator
from storage.types import utcnow
from tests.e2e.flows import report_danger
from tests.e2e.owed_checks import delivered_once, open_owed
from tests.e2e.test_desk import IN_JN01_1, card_of
from tests.e2e.test_fire_stations import BACKUP, FAR, LEAD, OWN, RESIDENT, alert_of, said, street

__all__ = ["street"]  # the demo street with three stations and the community's lead


async def _open(app: App) -> list[str]:
    return [row.kind for row in await open_owed(app)]


async def test_an_escalation_stopped_after_its_claim_reaches_backups_and_lead_later(
    emulator: TelegramEmulator,
    street: App,
    clock: Callable[[timedelta], datetime],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    own, backup, far = (emulator.user(i, n) for i, n in ((OWN, "甲"), (BACKUP, "乙"), (FAR, "丙")))
    lead = emulator.user(LEAD, "社区长")
    await report_danger(emulator.user(RESIDENT, "居民"), place=IN_JN01_1)
    await alert_of(own)
    await card_of(lead)
    stations = street.desk.stations
    assert stations is not None
    clock(timedelta(seconds=61))

    async def stopped(self: Alerter, *_: object) -> None:
        raise RuntimeError("the process stopped here")

    monkeypatch.setattr(Alerter, "deliver", stopped)
    with pytest.raises(RuntimeError):
        await stations.tick()
    monkeypatch.undo()
    await backup.expect_silence(0.3)
    await lead.expect_silence(0.1)
    assert await _open(street) == ["fire.escalation"]
    assert await stations.tick() == 0  # claimed: neither escalated nor resent again

    # A fire's take-over comes sooner than the cases' 5 minutes.
    await delivered_once(street, utcnow(), SEND_LEASE + timedelta(seconds=1))
    assert "支援" in ((await alert_of(backup)).text or "")
    assert "支援" in ((await alert_of(far)).text or "")
    assert "60 秒内无人出发" in (await said(lead, "60 秒内无人出发")).text
    for member in (backup, far, lead, own):
        await member.expect_silence(0.2)  # once each
