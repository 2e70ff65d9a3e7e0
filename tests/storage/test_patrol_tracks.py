"""Patrol tracks and patrol figures on SQLite and PostgreSQL: only the person doing a started
occurrence adds points, within bounds (a few metres or seconds from the previous point adds
nothing, a valid point only, at most MAX_POINTS); the month's patrol finds count against
resident reports, with each grid's coverage."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from shapely.geometry import box, mapping
from sqlalchemy import select

from bot.duties import doing, patrol_figures, register, track
from bot.duties.patrol_figures import AreaPatrol
from storage.db import Database
from storage.models import (
    Area,
    AreaLevel,
    Case,
    CaseStatus,
    DutyFind,
    DutyOccurrence,
    DutyTrackPoint,
    Person,
    Role,
)

SHANGHAI = ZoneInfo("Asia/Shanghai")
START = datetime(2026, 12, 3, 2, 0, tzinfo=UTC)  # Thursday 10:00 in Shanghai
DUTIES = """
duties:
  - name: 一网格巡查
    who: officer
    area: C1-1
    rhythm: weekly
    day: 4
    deadline_hours: 24
    track: true
    checklist:
      - {zh: 消防通道, en: Fire lanes}
"""
GRID = box(104.0, 30.6, 104.005, 30.61)  # about 480 m by 1110 m
NORTH = 0.001  # about 111 m


async def _street(database: Database) -> tuple[Person, Person, int]:
    """A community with a grid, its two officers, and the week's occurrence of its patrol."""
    async with database.transaction() as session:
        community = Area(code="C1", name="一社区", level=AreaLevel.COMMUNITY)
        session.add(community)
        await session.flush()
        grid = Area(
            code="C1-1",
            name="一网格",
            level=AreaLevel.GRID,
            parent_id=community.id,
            boundary=mapping(GRID),
        )
        session.add(grid)
        await session.flush()
        officer = Person(tg_id=7101, role=Role.OFFICER, area_id=grid.id, reachable=False)
        colleague = Person(tg_id=7102, role=Role.OFFICER, area_id=grid.id, reachable=False)
        session.add_all([officer, colleague])
    await register.import_text(database, DUTIES)
    async with database.transaction() as session:
        occurrence = DutyOccurrence(
            duty_id=1,
            period_start=date(2026, 12, 3),
            starts_at=START - timedelta(hours=2),
            due_at=START + timedelta(hours=22),
        )
        session.add(occurrence)
        await session.flush()
        return officer, colleague, occurrence.id


async def _kept(database: Database) -> list[tuple[float, float]]:
    async with database.sessions() as session:
        rows = await session.execute(
            select(DutyTrackPoint.latitude, DutyTrackPoint.longitude).order_by(DutyTrackPoint.id)
        )
        return [(lat, lon) for lat, lon in rows.all()]


async def test_only_a_started_occurrence_keeps_points_within_bounds(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    officer, colleague, occurrence = await _street(database)
    assert await track.record(database, officer, 30.601, 104.0025, START) is None  # not started
    await doing.start(database, occurrence, officer)
    at = START
    assert await track.record(database, officer, 30.601, 104.0025, at) == occurrence
    assert await track.record(database, colleague, 30.602, 104.0025, at) is None  # not theirs
    moves = [
        (30.60101, 104.0025, 60),  # a metre away: jitter
        (30.602, 104.0025, 2),  # 110 m in two seconds after the last kept point: too soon
        (30.602, 104.0025, 60),  # kept
        (91.0, 104.0025, 120),  # not a point on Earth
        (30.603, 104.0025, 180),  # kept
    ]
    for latitude, longitude, seconds in moves:
        assert (
            await track.record(
                database, officer, latitude, longitude, at + timedelta(seconds=seconds)
            )
            == occurrence
        )
    assert await _kept(database) == [(30.601, 104.0025), (30.602, 104.0025), (30.603, 104.0025)]
    walked = await track.of(database, occurrence)
    assert (walked.points, walked.seconds) == (3, 180)
    assert walked.metres == pytest.approx(222.4, abs=0.5)

    monkeypatch.setattr(track, "MAX_POINTS", 3)  # full: no more points
    await track.record(database, officer, 30.604, 104.0025, at + timedelta(minutes=10))
    assert len(await _kept(database)) == 3


async def test_a_duty_that_needs_a_track_is_not_finished_without_one(database: Database) -> None:
    officer, _, occurrence = await _street(database)
    await doing.toggle(database, occurrence, officer, 0)
    with pytest.raises(doing.DutyError) as refused:
        await doing.check_ready(database, occurrence, officer)
    assert refused.value.key == "duties.track_required"
    await track.record(database, officer, 30.601, 104.0025, START)
    with pytest.raises(doing.DutyError):  # one point is not a walk
        await doing.check_ready(database, occurrence, officer)
    await track.record(database, officer, 30.605, 104.0025, START + timedelta(minutes=5))
    await doing.finish(database, occurrence, officer, "walked", START + timedelta(minutes=6))
    later = START + timedelta(minutes=7)
    assert await track.record(database, officer, 30.606, 104.0025, later) is None  # finished


async def test_patrol_finds_against_resident_reports_with_coverage(database: Database) -> None:
    officer, colleague, occurrence = await _street(database)
    await doing.start(database, occurrence, officer)
    for step in range(9):  # north through the middle of the grid, 890 m
        when = START + timedelta(minutes=step)
        await track.record(database, officer, 30.601 + step * NORTH, 104.0025, when)
    async with database.transaction() as session:
        grid = await session.scalar(select(Area).where(Area.code == "C1-1"))
        assert grid is not None
        in_month = {"area_id": grid.id, "submitted_at": START, "status": CaseStatus.NEW}
        cases = [
            Case(reporter_id=officer.id, officer_found=True, **in_month),
            Case(reporter_id=colleague.id, **in_month),  # filed from the duty: by patrol too
            Case(reporter_id=colleague.id, **in_month),  # residents' (as far as it says)
            Case(reporter_id=colleague.id, **in_month),
            Case(reporter_id=colleague.id, area_id=grid.id),  # a draft
            Case(
                reporter_id=colleague.id,
                area_id=grid.id,
                status=CaseStatus.NEW,
                submitted_at=START - timedelta(days=10),  # last month
            ),
        ]
        session.add_all(cases)
        await session.flush()
        session.add(DutyFind(occurrence_id=occurrence, case_id=cases[1].id))
    december = date(2026, 12, 1)
    [row] = await patrol_figures.monthly(database, december, SHANGHAI)
    assert (row.area, row.found, row.reported) == ("一网格", 2, 2)
    assert row.coverage == pytest.approx((890 * 100 + 3.1416 * 50**2) / (479 * 1113), abs=0.01)
    assert await patrol_figures.monthly(database, december, SHANGHAI, {grid.id}) == [row]
    assert await patrol_figures.monthly(database, december, SHANGHAI, {grid.parent_id}) == []
    [community] = await patrol_figures.monthly(database, december, SHANGHAI, by_community=True)
    assert community == AreaPatrol("一社区", 2, 2, row.coverage)  # its one grid's
    november = await patrol_figures.monthly(database, date(2026, 11, 1), SHANGHAI)
    assert november == [AreaPatrol("一网格", found=0, reported=1, coverage=0.0)]  # no track
