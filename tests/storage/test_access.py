"""Who may read and act on a case, where it may be transferred, and that the lifecycle itself
holds these rules whoever calls it (a forged button reaches `apply` as a real one does)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC

import pytest
from sqlalchemy import select, update

from bot.cases import access
from bot.cases import lifecycle as cases
from bot.cases.lifecycle import Action, CaseError
from bot.errors import PoliteError
from bot.people import staff
from bot.reports import drafts, limits
from storage.db import Database
from storage.models import Area, AreaLevel, Case, CaseEvent, Person, Role


@dataclass
class Street:
    grid: Area  # C1's first grid, where the case is
    sibling: Area  # C1's second grid
    community: Area  # C1
    elsewhere: Area  # a grid of C2
    people: dict[str, Person]
    case: Case


async def _street(database: Database) -> Street:
    async with database.transaction() as session:
        street = Area(code="S", name="街道", level=AreaLevel.STREET)
        session.add(street)
        await session.flush()
        c1 = Area(code="C1", name="一社区", level=AreaLevel.COMMUNITY, parent_id=street.id)
        c2 = Area(code="C2", name="二社区", level=AreaLevel.COMMUNITY, parent_id=street.id)
        session.add_all([c1, c2])
        await session.flush()
        g11 = Area(code="C1-1", name="一网格", level=AreaLevel.GRID, parent_id=c1.id)
        g12 = Area(code="C1-2", name="二网格", level=AreaLevel.GRID, parent_id=c1.id)
        g21 = Area(code="C2-1", name="三网格", level=AreaLevel.GRID, parent_id=c2.id)
        session.add_all([g11, g12, g21])
        await session.flush()
        people = {
            "reporter": Person(tg_id=1, name="居民"),
            "neighbour": Person(tg_id=2, name="邻居"),
            "officer": Person(tg_id=3, name="本网格", role=Role.OFFICER, area_id=g11.id),
            "sibling_officer": Person(tg_id=4, name="邻网格", role=Role.OFFICER, area_id=g12.id),
            "far_officer": Person(tg_id=5, name="外社区", role=Role.OFFICER, area_id=g21.id),
            "lead": Person(tg_id=6, name="本社区", role=Role.LEAD, area_id=c1.id),
            "far_lead": Person(tg_id=7, name="外社区长", role=Role.LEAD, area_id=c2.id),
            "admin": Person(tg_id=8, name="街道", role=Role.ADMIN),
            "banned_admin": Person(tg_id=9, name="停用", role=Role.ADMIN, banned=True),
            # A residents' group's volunteer of C1: their group's duties, never a case.
            "volunteer": Person(tg_id=10, name="志愿者", role=Role.VOLUNTEER, area_id=c1.id),
        }
        session.add_all(people.values())
        await session.flush()
    case = await _file(database, people["reporter"], g11.id, "楼道堆物")
    return Street(g11, g12, c1, g21, people, case)


async def _file(database: Database, reporter: Person, area_id: int, words: str) -> Case:
    """A report filed in a grid (as routing by location would have placed it)."""
    draft = await drafts.start(database, reporter.id)
    await drafts.choose_category(database, draft, 1)
    async with database.transaction() as session:
        await session.execute(update(Case).where(Case.id == draft.id).values(area_id=area_id))
    await drafts.describe(database, draft.id, words)
    return (await drafts.submit(database, draft.id, reporter, None)).case


ACTORS = {
    "officer": True,
    "sibling_officer": False,
    "far_officer": False,
    "lead": True,
    "far_lead": False,
    "admin": True,
    "banned_admin": False,
    "volunteer": False,
    "reporter": False,
    "neighbour": False,
}


@pytest.mark.parametrize(("who", "allowed"), ACTORS.items())
async def test_who_may_act_on_a_case_and_the_lifecycle_agrees(
    database: Database, who: str, allowed: bool
) -> None:
    street = await _street(database)
    actor = street.people[who]
    async with database.sessions() as session:
        assert await access.may_act(session, actor, street.case) is allowed
    async with database.transaction() as session:
        if allowed:
            await cases.apply(session, street.case.id, Action.ACCEPT, actor)
            return
        with pytest.raises(CaseError) as refused:
            await cases.apply(session, street.case.id, Action.ACCEPT, actor)
    assert refused.value.key == "case.not_allowed"


# Reading follows acting, and the reporter reads their own case.
READERS = {**ACTORS, "reporter": True}


@pytest.mark.parametrize(("who", "readable"), READERS.items())
async def test_who_may_read_a_case(database: Database, who: str, readable: bool) -> None:
    street = await _street(database)
    async with database.sessions() as session:
        assert await access.may_read(session, street.people[who], street.case) is readable
    if readable:
        assert (await access.case_to_read(database, street.people[who], street.case.id)).id
    else:
        with pytest.raises(PoliteError):
            await access.case_to_read(database, street.people[who], street.case.id)


async def test_followers_and_who_transferred_it_away_may_read(database: Database) -> None:
    street = await _street(database)
    neighbour, officer = street.people["neighbour"], street.people["officer"]
    async with database.transaction() as session:
        await cases.follow(session, street.case.id, neighbour.id)
        await cases.apply(
            session, street.case.id, Action.TRANSFER, officer, area_id=street.sibling.id
        )
        case = await session.get(Case, street.case.id)
        assert case is not None
        assert await access.may_read(session, neighbour, case)
        assert await access.may_read(session, officer, case)  # transferred it away
        assert not await access.may_act(session, officer, case)  # but acts no more
        assert await access.may_act(session, street.people["sibling_officer"], case)


async def test_forged_ids_are_refused_without_a_traceback(database: Database) -> None:
    street = await _street(database)
    for case_id in (0, -1, 10**6, 2**64):
        with pytest.raises(PoliteError):
            await access.case_to_read(database, street.people["admin"], case_id)
        with pytest.raises(PoliteError):
            await access.case_to_act_on(database, street.people["admin"], case_id)


async def test_a_transfer_goes_only_where_the_menu_offers(database: Database) -> None:
    street = await _street(database)
    async with database.sessions() as session:
        targets = await access.transfer_targets(session, street.case)
    assert [grid.id for grid in targets.grids] == [street.sibling.id]
    assert targets.community_id == street.community.id
    officer = street.people["officer"]
    for forged in (street.elsewhere.id, street.grid.id, street.community.parent_id, 10**6):
        async with database.transaction() as session:
            with pytest.raises(CaseError) as refused:
                await cases.apply(session, street.case.id, Action.TRANSFER, officer, area_id=forged)
        assert refused.value.key == "case.transfer_target"
    async with database.transaction() as session:
        await cases.apply(
            session, street.case.id, Action.TRANSFER, officer, area_id=street.community.id
        )
    async with database.sessions() as session:
        moved = await session.get(Case, street.case.id)
        assert moved is not None
        assert moved.area_id == street.community.id
        back = await access.transfer_targets(session, moved)
    assert back.community_id is None  # at the lead already: only the grids remain
    assert {grid.id for grid in back.grids} == {street.grid.id, street.sibling.id}


async def test_a_merge_into_a_case_out_of_scope_is_refused(database: Database) -> None:
    street = await _street(database)
    far = await _file(database, street.people["neighbour"], street.elsewhere.id, "另一处")
    async with database.transaction() as session:
        with pytest.raises(CaseError) as refused:
            await cases.apply(
                session, street.case.id, Action.MERGE, street.people["lead"], duplicate_of=far.id
            )
    assert refused.value.key == "case.merge_target"


async def test_the_rating_comment_is_a_lifecycle_action_with_its_audit_event(
    database: Database,
) -> None:
    street = await _street(database)
    reporter, officer = street.people["reporter"], street.people["officer"]
    case_id = street.case.id
    async with database.transaction() as session:
        with pytest.raises(CaseError):  # not closed yet
            await cases.apply(session, case_id, Action.COMMENT, reporter, "很好")
    async with database.transaction() as session:
        await cases.apply(session, case_id, Action.ACCEPT, officer)
        await cases.apply(session, case_id, Action.RESOLVE, officer, "清理了")
        await cases.apply(session, case_id, Action.CONFIRM, reporter)
        with pytest.raises(CaseError):  # a comment comes with a rating
            await cases.apply(session, case_id, Action.COMMENT, reporter, "很好")
    async with database.transaction() as session:
        await cases.apply(session, case_id, Action.RATE, reporter, rating=5)
        with pytest.raises(CaseError):  # only the reporter
            await cases.apply(session, case_id, Action.COMMENT, street.people["admin"], "好")
    async with database.transaction() as session:
        outcome = await cases.apply(session, case_id, Action.COMMENT, reporter, "处理很及时")
    assert outcome.tell == []
    async with database.transaction() as session:
        with pytest.raises(CaseError) as again:
            await cases.apply(session, case_id, Action.COMMENT, reporter, "再说一次")
    assert again.value.key == "case.already_rated"
    async with database.sessions() as session:
        case = await session.get(Case, case_id)
        events = (
            await session.scalars(select(CaseEvent).where(CaseEvent.action == "comment"))
        ).all()
    assert case is not None
    assert case.rating_comment == "处理很及时"
    assert [(e.actor_id, e.note) for e in events] == [(reporter.id, "处理很及时")]


async def test_who_may_invite_whom(database: Database) -> None:
    street = await _street(database)
    lead, admin = street.people["lead"], street.people["admin"]
    assert await staff.create_invite(database, Role.OFFICER, "C1-2", created_by=lead)
    assert await staff.create_invite(database, Role.LEAD, "C2", created_by=admin)
    assert await staff.create_invite(database, Role.ADMIN, None)  # the command line
    for role, code in ((Role.OFFICER, "C2-1"), (Role.LEAD, "C1"), (Role.ADMIN, None)):
        with pytest.raises(PoliteError) as refused:
            await staff.create_invite(database, role, code, created_by=lead)
        assert refused.value.key == "error.not_allowed"
    with pytest.raises(PoliteError):
        await staff.create_invite(
            database, Role.OFFICER, "C1-1", created_by=street.people["officer"]
        )


async def test_residents_file_a_few_an_hour_staff_any_and_the_banned_none(
    database: Database,
) -> None:
    street = await _street(database)  # the reporter filed one
    with pytest.raises(PoliteError) as limited:
        await limits.check_may_file(database, street.people["reporter"], 1, UTC)
    assert limited.value.key == "report.rate_limited"
    await limits.check_may_file(database, street.people["reporter"], 2, UTC)
    await limits.check_may_file(database, street.people["officer"], 0, UTC)
    with pytest.raises(PoliteError) as banned:
        await limits.check_may_file(database, street.people["banned_admin"], 5, UTC)
    assert banned.value.key == "report.banned"
    draft = await drafts.start(database, street.people["reporter"].id)
    await drafts.choose_category(database, draft, 1)
    await drafts.describe(database, draft.id, "又一件")
    with pytest.raises(PoliteError):  # the submit itself checks, whoever calls it
        await drafts.submit(database, draft.id, street.people["reporter"], None, per_hour=1)
