"""Checks shared by the tests of what a change owes after a stop (tests/e2e/test_owed_*.py)."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import pytest
from sqlalchemy import select

from app.clock import deliver_owed
from app.wiring import App
from bot.cases.owed import LEASE
from storage import updates as journal
from storage.models import Owed
from tests.helpers import eventually

LATER = LEASE + timedelta(minutes=1)
# The stop is simulated by a failure of the update being handled, which is logged.
STOP_LOGGED = pytest.mark.expect_traceback(
    match=r"RuntimeError\('the process stopped here'\)",
    reason="the stop is simulated by a failure of the update, logged as any failure is",
)


async def _failed(app: App) -> bool:
    return bool(await journal.failed_updates(app.database, app.bot.id))


async def the_stop(app: App) -> None:
    """Wait until the update a simulated stop interrupted is over (kept as failed): the stop
    has happened, so undoing it cannot let the interrupted handler send what it owed after all.
    (A reply or a button's answer is no sign: the handlers answer before sending what is owed.)"""
    assert await eventually(lambda: _failed(app), within=60)


async def open_owed(app: App) -> list[Owed]:
    """The general owed rows not done yet."""
    async with app.database.sessions() as session:
        return list(await session.scalars(select(Owed).where(Owed.done_at.is_(None))))


async def delivered_once(app: App, at: datetime, later: timedelta = LATER) -> None:
    """Nothing is taken over while its holder may still send it (at `at`); after the lease,
    two instances' clocks deliver the change once between them, and nothing stays owed."""
    assert await deliver_owed(app.database, app.desk, at) == 0
    counts = await asyncio.gather(
        deliver_owed(app.database, app.desk, at + later),
        deliver_owed(app.database, app.desk, at + later),
    )
    assert sorted(counts) == [0, 1]
    assert not await open_owed(app)
    assert await deliver_owed(app.database, app.desk, at + later * 3) == 0
