"""Patrol finds versus resident reports, per area and month: cases found by patrol (an
officer's own find, 自行发现, or one filed from inside a duty) and cases residents reported, by
the month they were submitted in, with each grid's patrol coverage that month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo

from sqlalchemy import case, exists, func, or_, select

from bot.duties import coverage
from bot.duties.figures import month_bounds
from storage.db import Database
from storage.models import Area, Case, CaseStatus, DutyFind


@dataclass(frozen=True)
class AreaPatrol:
    area: str  # the area's name
    found: int  # by patrol
    reported: int  # by residents
    coverage: float | None  # the grid's share within 50 m of a track; None: not a grid


async def monthly(
    database: Database, month: date, tz: tzinfo, ids: set[int] | None = None
) -> list[AreaPatrol]:
    """Each area with cases submitted in `month` or a patrolled grid, by name; only the areas
    of `ids` when given (a lead's community and its grids, or the scope of /stats)."""
    start, end = month_bounds(month, tz)
    by_patrol = or_(Case.officer_found.is_(True), exists().where(DutyFind.case_id == Case.id))
    query = (
        select(Area.id, Area.name, func.count(), func.sum(case((by_patrol, 1), else_=0)))
        .join(Area, Area.id == Case.area_id)
        .where(Case.status != CaseStatus.DRAFT)
        .where(Case.submitted_at >= start, Case.submitted_at < end)
        .group_by(Area.id, Area.name)
    )
    if ids is not None:
        query = query.where(Area.id.in_(sorted(ids)))
    async with database.sessions() as session:
        counted = {row[0]: row[1:] for row in (await session.execute(query)).all()}
    _, grids = await coverage.grids(database, month, tz, ids)
    shares = {grid.area_id: (grid.name, grid.share) for grid in grids}
    rows = []
    for area_id in set(counted) | {g for g, (_, share) in shares.items() if share > 0}:
        name, total, found = counted.get(area_id) or (shares[area_id][0], 0, 0)
        share = shares[area_id][1] if area_id in shares else None
        rows.append(AreaPatrol(name, int(found or 0), int(total) - int(found or 0), share))
    return sorted(rows, key=lambda row: row.area)
