"""Residents' groups, their volunteers, their duties and report duties' filed figures on SQLite
and PostgreSQL: who can become a volunteer, a group duty's people and escalation levels, a
cron duty's occurrences once per firing, and the figures a report duty filed."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from aiogram import Bot
from sqlalchemy import select

from bot.duties import doing, register, reports, track
from bot.duties import people as duty_people
from bot.duties.watch import DutyWatch
from bot.errors import PoliteError
from bot.people import groups, staff
from bot.texts import Catalogue
from storage.db import Database
from storage.models import Area, AreaLevel, Duty, DutyOccurrence, Person, Role

SHANGHAI = ZoneInfo("Asia/Shanghai")
DUTIES = """
duties:
  - name: 一组日巡
    who: volunteer
    group: C1-G1
    rhythm: cron
    cron: "0 8 * * *"
    deadline_hours: 10
    checklist:
      - {zh: 楼道, en: Stairwells}
  - name: 一社区月报
    who: lead
    area: C1
    rhythm: monthly
    day: 1
    deadline_hours: 72
    checklist:
      - {zh: 汇总, en: Sum up}
    report:
      - {name: places, zh: 检查场所数, en: Places checked}
"""
MORNING = datetime(2026, 12, 3, 9, 0, tzinfo=SHANGHAI)  # an hour after the 08:00 firing


async def _people(database: Database) -> dict[str, Person]:
    async with database.transaction() as session:
        community = Area(code="C1", name="一社区", level=AreaLevel.COMMUNITY)
        session.add(community)
        await session.flush()
        people = {
            "leader": Person(tg_id=1, name="组长", reachable=False),
            "volunteer": Person(tg_id=2, name="志愿者", reachable=False),
            "resident": Person(tg_id=3, name="居民", reachable=False),
            "lead": Person(tg_id=4, role=Role.LEAD, area_id=community.id, reachable=False),
            "officer": Person(tg_id=5, role=Role.OFFICER, reachable=False),
        }
        session.add_all(people.values())
    return people


async def test_volunteers_join_and_leave_a_group(database: Database) -> None:
    people = await _people(database)
    group = await groups.set_up(database, "C1-G1", "一组", "C1", by=people["lead"])
    leader = await groups.set_leader(database, group, people["leader"], by=people["lead"])
    assert leader.role is Role.VOLUNTEER
    group = await groups.find(database, "C1-G1")
    added = await asyncio.gather(
        *(groups.add(database, group, people["volunteer"], by=leader) for _ in range(3))
    )
    assert {person.role for person in added} == {Role.VOLUNTEER}
    team = await groups.team(database, group)
    assert sorted(p.tg_id for p in team.volunteers) == [1, 2]
    assert team.leader is not None
    assert team.leader.id == leader.id

    other = await groups.set_up(database, "C1-G2", "二组", "C1")
    lead = people["lead"]
    refusals = {
        "volunteers.in_another_group": lambda: groups.add(
            database, other, people["volunteer"], lead
        ),
        "volunteers.not_a_resident": lambda: groups.add(database, group, people["officer"], lead),
        "error.not_allowed": lambda: groups.add(database, other, people["resident"], leader),
        "volunteers.is_leader": lambda: groups.remove(database, group, leader, lead),
        "volunteers.not_in_group": lambda: groups.remove(database, other, leader, lead),
        "groups.unknown_community": lambda: groups.set_up(database, "C9-G1", "九组", "C9"),
    }
    for key, attempt in refusals.items():
        with pytest.raises(PoliteError) as refused:
            await attempt()
        assert refused.value.key == key

    removed = await groups.remove(database, group, people["volunteer"], by=leader)
    assert removed.role is Role.RESIDENT
    async with database.sessions() as session:
        again = await session.get_one(Person, people["volunteer"].id)
    assert (again.role, again.area_id) == (Role.RESIDENT, None)
    assert await groups.group_of(database, again) is None

    # Revoked as a volunteer (/revoke), then added to another group: that group's, not the old.
    await groups.add(database, group, again, by=lead)
    revoked = await staff.revoke(database, again, frozenset())
    moved = await groups.add(database, other, revoked, by=lead)
    assert await groups.group_of(database, moved) == other.id


async def test_a_group_duty_its_people_and_its_levels(database: Database) -> None:
    people = await _people(database)
    group = await groups.set_up(database, "C1-G1", "一组", "C1")
    await groups.add(database, group, people["volunteer"], by=people["lead"])
    await register.import_text(database, DUTIES)
    async with database.sessions() as session:
        duty = await session.scalar(select(Duty).where(Duty.name == "一组日巡"))
    assert duty is not None
    assert (duty.group_id, duty.area_id, duty.cron) == (group.id, group.community_id, "0 8 * * *")
    owners = await duty_people.owners(database, duty)
    assert [p.tg_id for p in owners] == [2]
    levels = await duty_people.levels_up(database, duty)
    assert [[p.tg_id for p in level] for level in levels] == [[4]]  # no leader: the lead
    await groups.set_leader(database, group, people["leader"])
    levels = await duty_people.levels_up(database, duty)
    assert [[p.tg_id for p in level] for level in levels] == [[1], [4]]


async def test_a_cron_duty_is_created_once_per_firing(database: Database) -> None:
    people = await _people(database)
    group = await groups.set_up(database, "C1-G1", "一组", "C1")
    await groups.add(database, group, people["volunteer"], by=people["lead"])
    await register.import_text(database, DUTIES.split("  - name: 一社区月报")[0])
    watch = DutyWatch(database, Bot("123456:TEST"), Catalogue.load(), SHANGHAI)
    created = await asyncio.gather(*(watch.create_due(MORNING) for _ in range(4)))
    assert sorted(created) == [0, 0, 0, 1]
    assert await watch.create_due(MORNING + timedelta(hours=12)) == 0  # the same firing
    assert await watch.create_due(MORNING + timedelta(days=1)) == 1
    async with database.sessions() as session:
        rows = (await session.scalars(select(DutyOccurrence).order_by(DutyOccurrence.id))).all()
    assert [o.starts_at for o in rows] == [
        datetime(2026, 12, 3, 0, 0, tzinfo=UTC),
        datetime(2026, 12, 4, 0, 0, tzinfo=UTC),
    ]
    assert rows[0].due_at - rows[0].starts_at == timedelta(hours=10)

    # The group's volunteer does it, and their live location is its patrol track.
    async with database.sessions() as session:
        volunteer = await session.get_one(Person, people["volunteer"].id)
    await doing.start(database, rows[1].id, volunteer)
    assert await track.doing_now(database, volunteer) == rows[1].id
    assert await track.doing_now(database, people["lead"]) is None


async def test_a_report_duty_files_its_figures(database: Database) -> None:
    people = await _people(database)
    await groups.set_up(database, "C1-G1", "一组", "C1")
    await register.import_text(database, DUTIES)
    watch = DutyWatch(database, Bot("123456:TEST"), Catalogue.load(), SHANGHAI)
    await watch.create_due(MORNING)
    async with database.sessions() as session:
        occurrence = await session.scalar(
            select(DutyOccurrence).join(Duty).where(Duty.name == "一社区月报")
        )
    assert occurrence is not None
    lead = people["lead"]
    await doing.toggle(database, occurrence.id, lead, 0)
    with pytest.raises(PoliteError) as refused:
        await doing.finish(database, occurrence.id, lead, "小结")
    assert refused.value.key == "duties.figures_missing"
    await doing.finish(database, occurrence.id, lead, "小结", figures={"places": 7})
    [filed] = await reports.monthly(database, date(2026, 12, 1), SHANGHAI)
    assert (filed.area, filed.duty.name, filed.figures) == ("一社区", "一社区月报", {"places": 7})
    assert await reports.monthly(database, date(2026, 11, 1), SHANGHAI) == []
    assert await reports.monthly(database, date(2026, 12, 1), SHANGHAI, community_id=999) == []
