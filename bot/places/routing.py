"""Who gets a case: the officers on duty of its grid, else the community lead, else the street.

Urgent cases go to the officers, the community lead and the street admins at the same moment.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from bot.places.index import area_index
from storage.db import Database
from storage.models import Area, AreaLevel, Case, Person, Role


@dataclass(frozen=True)
class Route:
    grid: Area | None
    community: Area | None
    people: list[Person]
    triage: bool  # no grid: the lead (or the street) assigns it


async def _area_of(database: Database, case: Case, tolerance_m: float) -> Area | None:
    async with database.sessions() as session:
        if case.area_id is not None:
            return await session.get(Area, case.area_id)
    if case.latitude is None or case.longitude is None:
        return None
    index = await area_index(database)
    located = index.locate(case.latitude, case.longitude, tolerance_m)
    if located is None:
        return None
    async with database.transaction() as session:
        area = await session.get(Area, located.area_id)
        stored = await session.get(Case, case.id)
        if stored is not None:
            stored.area_id = located.area_id
        return area


async def staff_of(database: Database, role: Role, area_id: int | None) -> list[Person]:
    async with database.sessions() as session:
        query = select(Person).where(Person.role == role, Person.banned.is_(False))
        if area_id is not None:
            query = query.where(Person.area_id == area_id)
        return list((await session.scalars(query.order_by(Person.id))).all())


async def route(database: Database, case: Case, tolerance_m: float) -> Route:
    """Where a new case goes, and to whom its card is sent."""
    area = await _area_of(database, case, tolerance_m)
    grid = area if area is not None and area.level == AreaLevel.GRID else None
    community = area if area is not None and area.level == AreaLevel.COMMUNITY else None
    if grid is not None and grid.parent_id is not None:
        async with database.sessions() as session:
            community = await session.get(Area, grid.parent_id)
    people = await receivers(database, grid, community, urgent=case.urgent)
    return Route(grid, community, people, triage=grid is None)


async def receivers(
    database: Database, grid: Area | None, community: Area | None, *, urgent: bool = False
) -> list[Person]:
    """Who gets a new case of the grid (or, without one, the community) now: the grid's own
    officers on duty; while none is, its backups on duty; then the community's leads; then the
    street's admins. An urgent case goes to all of those levels at once."""
    grid_staff = await staff_of(database, Role.OFFICER, grid.id) if grid else []
    on_duty = [p for p in grid_staff if p.on_duty]
    officers = [p for p in on_duty if not p.backup] or [p for p in on_duty if p.backup]
    people = list(officers)
    if urgent or not people:
        people += await staff_of(database, Role.LEAD, community.id) if community else []
    if urgent or not people:
        people += await staff_of(database, Role.ADMIN, None)
    return list({person.id: person for person in people}.values())


async def grid_receivers(database: Database, grid_id: int) -> list[Person]:
    """Who gets the grid's new (not urgent) cases now."""
    async with database.sessions() as session:
        grid = await session.get(Area, grid_id)
        community = await session.get(Area, grid.parent_id) if grid and grid.parent_id else None
    return await receivers(database, grid, community)


async def community_of(database: Database, case: Case) -> int | None:
    """The id of the community a case lies in (its grid's parent, or the community itself)."""
    if case.area_id is None:
        return None
    async with database.sessions() as session:
        area = await session.get(Area, case.area_id)
    if area is None or area.level == AreaLevel.STREET:
        return None
    return area.parent_id if area.level == AreaLevel.GRID else area.id


async def grids_of(database: Database, community_id: int) -> list[Area]:
    async with database.sessions() as session:
        rows = await session.scalars(
            select(Area)
            .where(Area.parent_id == community_id, Area.level == AreaLevel.GRID)
            .order_by(Area.code)
        )
        return list(rows.all())
