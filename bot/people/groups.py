"""Residents' groups (居民小组) and their volunteer patrol teams.

A group lies inside a community: residents' groups are how a community's residents' committee
organises its residents, and a missed patrol goes from the group to the community and the
street ("resident group → community → street"), so the group hangs under the community, not a
grid. Its leader (a volunteer of it, or a member of staff) adds and removes its volunteers in
chat; the community's leads and the street's admins set up groups and may do the same. A
volunteer does their group's duties and files patrol finds from inside them, nothing more.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update

from bot.errors import PoliteError
from storage.db import Database
from storage.models import Area, AreaLevel, GroupVolunteer, Person, ResidentGroup, Role
from storage.upsert import upsert

CODE_MAX, NAME_MAX = 32, 64


class GroupError(PoliteError):
    """Not this person's group, an unknown group or person, or someone who cannot volunteer."""


@dataclass(frozen=True)
class Team:
    group: ResidentGroup
    leader: Person | None
    volunteers: list[Person]


def may_set_up(person: Person, community_id: int) -> bool:
    """Admins set up groups anywhere; a lead in their own community."""
    if person.banned:
        return False
    return person.role == Role.ADMIN or (
        person.role == Role.LEAD and person.area_id == community_id
    )


def may_manage(person: Person, group: ResidentGroup) -> bool:
    """The one rule of who adds and removes a group's volunteers: its leader, the community's
    leads and the street's admins."""
    if person.banned:
        return False
    return group.leader_id == person.id or may_set_up(person, group.community_id)


async def group_of(database: Database, person: Person) -> int | None:
    """The residents' group a volunteer belongs to (None for everyone else)."""
    if person.role != Role.VOLUNTEER:
        return None
    async with database.sessions() as session:
        query = select(GroupVolunteer.group_id).where(GroupVolunteer.person_id == person.id)
        return await session.scalar(query)


async def set_up(
    database: Database, code: str, name: str, community_code: str, by: Person | None = None
) -> ResidentGroup:
    """A new residents' group (or the same code renamed); `by` None: the command line."""
    code, name = code.strip(), name.strip()
    if not code or len(code) > CODE_MAX or not name or len(name) > NAME_MAX:
        raise GroupError("groups.bad_name", most=NAME_MAX)
    async with database.transaction() as session:
        community = await session.scalar(select(Area).where(Area.code == community_code))
        if community is None or community.level != AreaLevel.COMMUNITY:
            raise GroupError("groups.unknown_community", code=community_code)
        if by is not None and not may_set_up(by, community.id):
            raise GroupError("error.not_allowed")
        group = await session.scalar(select(ResidentGroup).where(ResidentGroup.code == code))
        if group is not None and group.community_id != community.id:
            raise GroupError("groups.code_taken", code=code)
        if group is None:
            group = ResidentGroup(code=code, name=name, community_id=community.id)
            session.add(group)
        group.name = name
        await session.flush()
        return group


async def find(database: Database, code: str) -> ResidentGroup:
    async with database.sessions() as session:
        group = await session.scalar(select(ResidentGroup).where(ResidentGroup.code == code))
    if group is None:
        raise GroupError("groups.unknown", code=code)
    return group


async def every(database: Database) -> list[ResidentGroup]:
    async with database.sessions() as session:
        return list(
            (await session.scalars(select(ResidentGroup).order_by(ResidentGroup.code))).all()
        )


async def led_by(database: Database, person: Person) -> list[ResidentGroup]:
    """The groups the person may manage: those they lead, their community's (a lead), all
    (an admin)."""
    query = select(ResidentGroup).order_by(ResidentGroup.code)
    if person.role == Role.LEAD:
        query = query.where(ResidentGroup.community_id == person.area_id)
    elif person.role != Role.ADMIN:
        query = query.where(ResidentGroup.leader_id == person.id)
    async with database.sessions() as session:
        groups = list((await session.scalars(query)).all())
    return [group for group in groups if may_manage(person, group)]


async def set_leader(
    database: Database, group: ResidentGroup, person: Person, by: Person | None = None
) -> Person:
    """Make someone the group's leader: a resident becomes one of its volunteers."""
    if by is not None and not may_set_up(by, group.community_id):
        raise GroupError("error.not_allowed")
    if person.role in (Role.RESIDENT, Role.VOLUNTEER):
        person = await _enlist(database, group, person)
    async with database.transaction() as session:
        await session.execute(
            update(ResidentGroup).where(ResidentGroup.id == group.id).values(leader_id=person.id)
        )
    return person


async def add(database: Database, group: ResidentGroup, person: Person, by: Person) -> Person:
    """A resident who has written to the bot becomes a volunteer of the group."""
    if not may_manage(by, group):
        raise GroupError("error.not_allowed")
    return await _enlist(database, group, person)


async def remove(database: Database, group: ResidentGroup, person: Person, by: Person) -> Person:
    """A volunteer of the group is a resident again (the group's leader stays)."""
    if not may_manage(by, group):
        raise GroupError("error.not_allowed")
    tg_id = person.tg_id
    if await group_of(database, person) != group.id:
        raise GroupError("volunteers.not_in_group", name=person.name or str(tg_id))
    if person.id == group.leader_id:
        raise GroupError("volunteers.is_leader", name=person.name or str(tg_id))
    async with database.transaction() as session:
        await session.execute(delete(GroupVolunteer).where(GroupVolunteer.person_id == person.id))
        await session.execute(
            update(Person)
            .where(Person.id == person.id)
            .values(role=Role.RESIDENT, area_id=None, on_duty=True, backup=False)
        )
    person.role = Role.RESIDENT
    return person


async def team(database: Database, group: ResidentGroup) -> Team:
    async with database.sessions() as session:
        leader = await session.get(Person, group.leader_id) if group.leader_id else None
        volunteers = await session.scalars(
            select(Person)
            .join(GroupVolunteer, GroupVolunteer.person_id == Person.id)
            .where(GroupVolunteer.group_id == group.id)
            .order_by(Person.name, Person.id)
        )
        return Team(group, leader, list(volunteers.all()))


async def volunteers_of(database: Database, group_id: int) -> list[Person]:
    """The group's volunteers who may be told something (not banned)."""
    async with database.sessions() as session:
        rows = await session.scalars(
            select(Person)
            .join(GroupVolunteer, GroupVolunteer.person_id == Person.id)
            .where(GroupVolunteer.group_id == group_id, Person.banned.is_(False))
            .order_by(Person.id)
        )
        return list(rows.all())


async def _enlist(database: Database, group: ResidentGroup, person: Person) -> Person:
    if person.banned or person.role not in (Role.RESIDENT, Role.VOLUNTEER):
        raise GroupError("volunteers.not_a_resident", name=person.name or str(person.tg_id))
    current = await group_of(database, person)
    if current not in (None, group.id):
        raise GroupError("volunteers.in_another_group", name=person.name or str(person.tg_id))
    async with database.transaction() as session:
        if current is None:  # a row left by an earlier role (revoked, say) is replaced
            row = {"person_id": person.id, "group_id": group.id}
            await upsert(session, GroupVolunteer, row, ["person_id"])
        await session.execute(
            update(Person)
            .where(Person.id == person.id)
            .values(role=Role.VOLUNTEER, area_id=group.community_id)
        )
    person.role, person.area_id = Role.VOLUNTEER, group.community_id
    return person
