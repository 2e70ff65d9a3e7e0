"""The lifecycle on a real database (SQLite and PostgreSQL): numbers, deadlines, audit trail,
one submit per draft, one rating, merges that make followers."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select, update

from bot.cases import lifecycle as cases
from bot.cases.lifecycle import Action, CaseError
from bot.deadlines.escalation import WATCHES, Step, _claim
from bot.reports import drafts, limits
from storage.db import Database
from storage.models import Area, AreaLevel, Case, CaseEvent, CaseFollower, CaseStatus, Person, Role
from storage.types import utcnow


async def people(database: Database) -> tuple[Person, Person, Person]:
    """A reporter, a neighbour, and the officer of grid G1 (where `draft` puts its cases)."""
    async with database.transaction() as session:
        community = Area(code="C1", name="社区", level=AreaLevel.COMMUNITY)
        session.add(community)
        await session.flush()
        grid = Area(code="G1", name="网格", level=AreaLevel.GRID, parent_id=community.id)
        session.add(grid)
        await session.flush()
        reporter = Person(tg_id=1, name="居民")
        neighbour = Person(tg_id=2, name="邻居")
        officer = Person(tg_id=3, name="网格员", role=Role.OFFICER, area_id=grid.id)
        session.add_all([reporter, neighbour, officer])
        await session.flush()
        return reporter, neighbour, officer


async def draft(database: Database, reporter: Person, category_id: int = 1) -> Case:
    """A draft with a category and words, in grid G1."""
    case = await drafts.start(database, reporter.id)
    await drafts.choose_category(database, case, category_id)
    async with database.transaction() as session:
        grid = await session.scalar(select(Area.id).where(Area.code == "G1"))
        await session.execute(update(Case).where(Case.id == case.id).values(area_id=grid))
    return await drafts.describe(database, case.id, "楼道堆物")


async def test_submit_numbers_deadlines_and_audit(database: Database) -> None:
    reporter, _, _ = await people(database)
    case = await draft(database, reporter)
    outcome = await drafts.submit(database, case.id, reporter, None)
    submitted = outcome.case
    assert submitted.number == f"MQ-{submitted.id:06d}"
    assert submitted.accept_due_at - submitted.submitted_at == timedelta(minutes=30)
    assert submitted.resolve_due_at - submitted.submitted_at == timedelta(hours=24)
    with pytest.raises(CaseError) as again:
        await drafts.submit(database, case.id, reporter, None)
    assert again.value.key == "case.wrong_status"
    async with database.sessions() as session:
        events = (await session.scalars(select(CaseEvent))).all()
    assert [(e.action, e.actor_id) for e in events] == [("submit", reporter.id)]


async def test_the_street_code_and_case_prefix_give_the_number(database: Database) -> None:
    reporter, _, _ = await people(database)
    async with database.transaction() as session:
        session.add(Area(code="jn", name="江南街道", level=AreaLevel.STREET))
    first = await drafts.submit(database, (await draft(database, reporter)).id, reporter, None)
    second = await drafts.submit(database, (await draft(database, reporter)).id, reporter, "XY")
    assert first.case.number is not None
    assert first.case.number.startswith("JN-")
    assert second.case.number is not None
    assert second.case.number.startswith("XY-")


async def test_concurrent_submits_file_one_case(database: Database) -> None:
    reporter, _, _ = await people(database)
    case = await draft(database, reporter)
    results = await asyncio.gather(
        *(drafts.submit(database, case.id, reporter, None) for _ in range(4)),
        return_exceptions=True,
    )
    assert sum(not isinstance(r, Exception) for r in results) == 1
    assert all(isinstance(r, CaseError) for r in results if isinstance(r, Exception))


async def test_the_whole_loop_with_rework_and_one_rating(database: Database) -> None:
    reporter, neighbour, officer = await people(database)
    case_id = (
        await drafts.submit(database, (await draft(database, reporter)).id, reporter, None)
    ).case.id
    async with database.transaction() as session:
        await cases.follow(session, case_id, neighbour.id)

    async def do(action: Action, actor: Person | None, **kwargs: object) -> cases.Outcome:
        async with database.transaction() as session:
            return await cases.apply(session, case_id, action, actor, **kwargs)  # type: ignore[arg-type]

    accepted = await do(Action.ACCEPT, officer)
    assert accepted.tell == [reporter.id, neighbour.id]
    await do(Action.RESOLVE, officer, note="清理完毕")
    reopened = await do(Action.REOPEN, reporter)
    assert reopened.case.rework_count == 1
    assert reopened.case.resolved_at is None
    await do(Action.RESOLVE, officer, note="再次清理")
    closed = await do(Action.CONFIRM, reporter)
    assert closed.case.status == CaseStatus.CLOSED
    with pytest.raises(CaseError):
        await do(Action.RATE, reporter, rating=6)
    rated = await do(Action.RATE, reporter, rating=5)
    assert rated.tell == []
    with pytest.raises(CaseError) as twice:
        await do(Action.RATE, reporter, rating=1)
    assert twice.value.key == "case.already_rated"
    with pytest.raises(CaseError):
        await do(Action.ACCEPT, officer)  # closed is final


async def test_merging_makes_the_reporter_a_follower(database: Database) -> None:
    reporter, neighbour, officer = await people(database)
    original = (
        await drafts.submit(database, (await draft(database, reporter)).id, reporter, None)
    ).case
    repeat = (
        await drafts.submit(database, (await draft(database, neighbour)).id, neighbour, None)
    ).case
    async with database.transaction() as session:
        with pytest.raises(CaseError):
            await cases.apply(session, repeat.id, Action.MERGE, officer, duplicate_of=repeat.id)
    async with database.transaction() as session:
        merged = await cases.apply(
            session, repeat.id, Action.MERGE, officer, duplicate_of=original.id
        )
    assert merged.case.status == CaseStatus.DUPLICATE
    assert merged.case.duplicate_of_id == original.id
    async with database.sessions() as session:
        followers = (await session.scalars(select(CaseFollower))).all()
    assert [(f.case_id, f.person_id) for f in followers] == [(original.id, neighbour.id)]


async def test_duplicates_are_found_by_distance_category_and_age(database: Database) -> None:
    reporter, neighbour, _ = await people(database)
    near = await draft(database, reporter)
    await drafts.place(database, near.id, latitude=30.0, longitude=104.0)
    await drafts.submit(database, near.id, reporter, None)
    mine = await draft(database, neighbour)
    mine = await drafts.place(database, mine.id, latitude=30.0003, longitude=104.0)  # ~33 m
    assert [c.id for c in await drafts.duplicates(database, mine, 50, 14)] == [near.id]
    assert await drafts.duplicates(database, mine, 20, 14) == []
    later = utcnow() + timedelta(days=15)
    assert await drafts.duplicates(database, mine, 50, 14, now=later) == []
    other_kind = await draft(database, neighbour, category_id=2)
    other_kind = await drafts.place(database, other_kind.id, latitude=30.0003, longitude=104.0)
    assert await drafts.duplicates(database, other_kind, 50, 14) == []


async def test_rate_limit_window(database: Database) -> None:
    reporter, _, _ = await people(database)
    for _ in range(2):
        await drafts.submit(database, (await draft(database, reporter)).id, reporter, None)
    again = await limits.next_allowed_at(database, reporter.id, per_hour=2)
    assert again is not None
    assert timedelta(minutes=59) < again - utcnow() <= timedelta(hours=1)
    assert await limits.next_allowed_at(database, reporter.id, per_hour=3) is None
    assert (
        await limits.next_allowed_at(database, reporter.id, 2, now=utcnow() + timedelta(hours=2))
        is None
    )


async def test_non_urgent_deadlines_count_working_time(database: Database) -> None:
    reporter, _, _ = await people(database)
    shanghai = ZoneInfo("Asia/Shanghai")
    friday_evening = datetime(2026, 11, 27, 18, 0, tzinfo=shanghai)
    sanitation = await draft(database, reporter, category_id=4)  # 4 h / 72 h, not urgent
    async with database.transaction() as session:
        slow = await cases.apply(
            session, sanitation.id, Action.SUBMIT, reporter, tz=shanghai, now=friday_evening
        )
    fire = await draft(database, reporter, category_id=1)  # urgent category: clock time
    async with database.transaction() as session:
        fast = await cases.apply(
            session, fire.id, Action.SUBMIT, reporter, tz=shanghai, now=friday_evening
        )
    assert slow.case.accept_due_at == datetime(2026, 11, 30, 12, 30, tzinfo=shanghai)  # Monday
    assert slow.case.resolve_due_at == datetime(2026, 12, 3, 8, 30, tzinfo=shanghai)
    assert fast.case.accept_due_at == friday_evening + timedelta(minutes=30)


async def test_an_escalation_step_is_claimed_by_one_instance(database: Database) -> None:

    reporter, _, _ = await people(database)
    case = (
        await drafts.submit(database, (await draft(database, reporter)).id, reporter, None)
    ).case
    results = await asyncio.gather(
        *(_claim(database, case, WATCHES[0], Step.TO_LEAD) for _ in range(4))
    )
    assert sorted(result is not None for result in results) == [False, False, False, True]
    assert await _claim(database, case, WATCHES[0], Step.REMIND_LATE) is None  # never back down
    async with database.sessions() as session:
        events = (
            await session.scalars(select(CaseEvent.note).where(CaseEvent.action == "escalate"))
        ).all()
    assert events == ["accept overdue: to lead"]
