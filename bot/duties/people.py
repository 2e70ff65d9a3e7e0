"""Who owes a duty, who may do it, and who hears of it when it is missed (a level up)."""

from __future__ import annotations

from sqlalchemy import select

from bot.places import routing
from storage.db import Database
from storage.models import Area, AreaLevel, Duty, Person, Role


def may_do(person: Person, duty: Duty) -> bool:
    """The one rule of who may start, tick and finish a duty's occurrence: its role, in its
    area (the street's duties: any admin)."""
    if person.banned or person.role != duty.role:
        return False
    return duty.area_id is None or person.area_id == duty.area_id


async def owners(database: Database, duty: Duty) -> list[Person]:
    """The people who owe the duty: the grid's officers, the community's leads or the admins."""
    return await routing.staff_of(database, duty.role, duty.area_id)


async def levels_up(database: Database, duty: Duty) -> list[list[Person]]:
    """Who hears of a missed occurrence, one level after another: a grid officer's duty goes
    to the community's leads, then the street's admins; a lead's to the admins."""
    admins = await routing.staff_of(database, Role.ADMIN, None)
    if duty.role is Role.ADMIN:
        return []
    if duty.role is Role.LEAD:
        return [admins]
    community = await _community(database, duty.area_id)
    leads = await routing.staff_of(database, Role.LEAD, community) if community else []
    return [leads, admins] if leads else [admins]  # no lead: the street at once, once


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
    return [duty for duty in rows if may_do(person, duty)]
