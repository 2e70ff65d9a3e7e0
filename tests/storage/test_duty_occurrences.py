"""Routine duties' claims on SQLite and PostgreSQL: ticks of several instances at the same
moment create a period's occurrence once, and remind and escalate a missed one once each."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiogram import Bot
from sqlalchemy import func, select, update

from bot.duties import register
from bot.duties.watch import DutyWatch
from bot.texts import Catalogue
from storage.db import Database
from storage.models import Area, AreaLevel, DutyOccurrence, Person, Role

DUTIES = """
duties:
  - name: 一网格周查
    who: officer
    area: C1-1
    rhythm: weekly
    day: 4
    deadline_hours: 24
    checklist:
      - {zh: 消防通道, en: Fire lanes}
"""
# A Thursday, 01:00 in Shanghai: the week's occurrence starts at midnight, due 24 h later.
START = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)


async def _street(database: Database) -> None:
    async with database.transaction() as session:
        community = Area(code="C1", name="一社区", level=AreaLevel.COMMUNITY)
        session.add(community)
        await session.flush()
        session.add(Area(code="C1-1", name="一网格", level=AreaLevel.GRID, parent_id=community.id))
        # The community's lead (unreachable: nothing is sent through the test's bot).
        lead = Person(tg_id=7001, role=Role.LEAD, area_id=community.id, reachable=False)
        session.add(lead)
    await register.import_text(database, DUTIES)


async def _occurrences(database: Database) -> list[DutyOccurrence]:
    async with database.sessions() as session:
        return list((await session.scalars(select(DutyOccurrence))).all())


@pytest.fixture
async def watch(database: Database) -> DutyWatch:
    await _street(database)
    return DutyWatch(database, Bot("123456:TEST"), Catalogue.load(), ZoneInfo("Asia/Shanghai"))


async def test_concurrent_ticks_create_an_occurrence_once(
    database: Database, watch: DutyWatch
) -> None:
    created = await asyncio.gather(*(watch.create_due(START) for _ in range(4)))
    assert sorted(created) == [0, 0, 0, 1]
    assert await watch.create_due(START + timedelta(days=3)) == 0  # the same week
    [occurrence] = await _occurrences(database)
    assert occurrence.due_at == datetime(2026, 12, 3, 16, 0, tzinfo=UTC)
    assert await watch.create_due(START + timedelta(days=7)) == 1  # next Thursday's
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(DutyOccurrence)) == 2


async def test_a_missed_one_is_reminded_and_escalated_once_each(
    database: Database, watch: DutyWatch
) -> None:
    await watch.create_due(START)
    assert await watch.watch(START + timedelta(hours=10)) == 0  # early still
    reminded = await asyncio.gather(*(watch.watch(START + timedelta(hours=18)) for _ in range(3)))
    assert sorted(reminded) == [0, 0, 1]
    late = START + timedelta(hours=24)
    assert sorted(await asyncio.gather(*(watch.watch(late) for _ in range(3)))) == [0, 0, 1]
    [occurrence] = await _occurrences(database)
    assert occurrence.escalation_level == 1
    later = late + timedelta(hours=24)
    assert sorted(await asyncio.gather(*(watch.watch(later) for _ in range(3)))) == [0, 0, 1]
    assert await watch.watch(later + timedelta(days=2)) == 0  # the street is the top
    [occurrence] = await _occurrences(database)
    assert occurrence.escalation_level == 2


async def test_a_done_one_is_neither_reminded_nor_escalated(
    database: Database, watch: DutyWatch
) -> None:
    await watch.create_due(START)
    async with database.transaction() as session:
        await session.execute(update(DutyOccurrence).values(done_at=START + timedelta(hours=1)))
    assert await watch.watch(START + timedelta(days=3)) == 0
