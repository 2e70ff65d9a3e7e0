"""The one clock: moved forward by the sandbox and tests, and the scheduler's jobs it jumped
over run once."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from apscheduler.schedulers.asyncio import AsyncIOScheduler

from app.clock import move_time, run_due_jobs
from storage.types import clock_ahead, utcnow

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_clock_moves_forward_and_never_back(clock: Callable[[timedelta], datetime]) -> None:
    before = utcnow()
    moved = clock(timedelta(days=2))
    assert moved - before >= timedelta(days=2)
    assert utcnow() >= moved
    assert clock_ahead() == timedelta(days=2)
    with pytest.raises(ValueError, match="forward"):
        clock(timedelta(seconds=-1))
    assert clock_ahead() == timedelta(days=2)


def _scheduler(ran: list[str]) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=SHANGHAI)

    async def job(name: str) -> None:
        ran.append(name)

    async def broken() -> None:
        raise RuntimeError("a job that fails")

    scheduler.add_job(job, "interval", minutes=1, args=["every minute"], id="minute")
    scheduler.add_job(job, "cron", hour=8, minute=30, args=["digest"], id="digest")
    scheduler.add_job(broken, "interval", minutes=1, id="broken")
    return scheduler


async def test_jobs_whose_time_came_in_the_jump_run_once() -> None:
    ran: list[str] = []
    scheduler = _scheduler(ran)
    # Interval jobs count from when they were added: the jump is after that.
    tomorrow = datetime.now(SHANGHAI) + timedelta(days=1)
    evening = tomorrow.replace(hour=19, minute=0, second=0, microsecond=0)
    # An hour in the evening: the minute's job, not the 08:30 digest; the broken job is logged.
    assert await run_due_jobs(scheduler, evening, evening + timedelta(hours=1)) == ["minute"]
    assert ran == ["every minute"]
    ran.clear()
    morning = evening.replace(hour=8, minute=30) + timedelta(days=1)
    assert sorted(await run_due_jobs(scheduler, evening, morning.astimezone(UTC))) == [
        "digest",
        "minute",
    ]
    assert sorted(ran) == ["digest", "every minute"]  # once each, however long the jump


async def test_move_time_runs_what_fell_due(clock: Callable[[timedelta], datetime]) -> None:
    ran: list[str] = []
    scheduler = _scheduler(ran)
    before = utcnow()
    assert "minute" in await move_time(scheduler, timedelta(days=2))
    assert "digest" in ran  # two days hold an 08:30
    assert utcnow() - before >= timedelta(days=2)
