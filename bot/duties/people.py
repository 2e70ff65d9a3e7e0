"""Who owes a duty, who may do it, and who hears of it when it is missed (a level up)."""

from __future__ import annotations

from sqlalchemy import select

from bot.people import groups
from bot.places import routing
from storage.db import Database
from storage.models import Area, AreaLevel, Duty, Person, ResidentGroup, Role


def may_do(person: Person, duty: Duty, group_id: int | None = None) -> bool:
    """The one rule of who may start, tick and finish a duty's occurrence: its role, in its
    area (the street's duties: any admin); a residents' group's duty, its volunteers
    (`group_id`: the person's group, from `groups.group_of`)."""
    if person.banned or person.role != duty.role:
        return False
    if duty.group_id is not None or person.role is Role.VOLUNTEER:
        return group_id is not None and duty.group_id == group_id
    return duty.area_id is None or person.area_id == duty.area_id


async def may_do_now(database: Database, person: Person, duty: Duty) -> bool:
    """`may_do`, with the person's residents' group looked up."""
    return may_do(person, duty, await groups.group_of(database, person))


async def owners(database: Database, duty: Duty) -> list[Person]:
    """The people who owe the duty: the grid's officers, the community's leads, the admins or
    the residents' group's volunteers."""
    if duty.group_id is not None:
        return await groups.volunteers_of(database, duty.group_id)
    return await routing.staff_of(database, duty.role, duty.area_id)


async def levels_up(database: Database, duty: Duty) -> list[list[Person]]:
    """Who hears of a missed occurrence, one level after another: a grid officer's duty goes
    to the community's leads, then the street's admins; a lead's to the admins."""
    admins = await routing.staff_of(database, Role.ADMIN, None)
    if duty.role is Role.ADMIN:
        return []
    if duty.role is Role.LEAD:
        return [admins]
    if duty.group_id is not None:
        return await _group_levels(database, duty.group_id, duty.area_id, admins)
    community = await _community(database, duty.area_id)
    leads = await routing.staff_of(database, Role.LEAD, community) if community else []
    return [leads, admins] if leads else [admins]  # no lead: the street at once, once


async def _group_levels(
    database: Database, group_id: int, community: int | None, admins: list[Person]
) -> list[list[Person]]:
    """A residents' group's missed duty: its leader, then the community's leads (the street's
    admins when the community has none)."""
    leads = await routing.staff_of(database, Role.LEAD, community) if community else []
    async with database.sessions() as session:
        group = await session.get(ResidentGroup, group_id)
        leader = await session.get(Person, group.leader_id) if group and group.leader_id else None
    levels = [[leader]] if leader is not None and not leader.banned else []
    return [*levels, leads or admins]


async def _community(database: Database, grid_id: int | None) -> int | None:
    async with database.sessions() as session:
        area = await session.get(Area, grid_id) if grid_id else None
    if area is None or area.level != AreaLevel.GRID:
        return None
    return area.parent_id


async def duties_of(database: Database, person: Person) -> list[Duty]:
    """The active duties the person may do."""
    async with database.sessions() as session:
        query = select(Duty).where(Duty.active.is_(True), Duty.role == person.role)
        rows = (await session.scalars(query.order_by(Duty.name))).all()
    group_id = await groups.group_of(database, person)
    return [duty for duty in rows if may_do(person, duty, group_id)]
