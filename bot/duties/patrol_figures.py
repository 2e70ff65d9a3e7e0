"""Patrol finds versus resident reports, per area and month: cases found by patrol (an
officer's own find, 自行发现, or one filed from inside a duty) and cases residents reported, by
the month they were submitted in, with each grid's patrol coverage that month (a community's:
its grids' covered ground over their whole area)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, tzinfo

from sqlalchemy import case, exists, func, or_, select

from bot.duties import coverage
from bot.duties.figures import month_bounds
from bot.texts.shares import share
from storage.db import Database
from storage.models import Area, AreaLevel, Case, CaseStatus, DutyFind


@dataclass(frozen=True)
class AreaPatrol:
    area: str  # the area's name
    found: int  # by patrol
    reported: int  # by residents
    coverage: float | None  # the share within 50 m of a track; None: no grid with a boundary


@dataclass
class _Tally:
    name: str
    parent_id: int | None
    found: int = 0
    reported: int = 0
    covered_m2: float = 0.0
    square_m2: float = 0.0

    def row(self) -> AreaPatrol:
        coverage = share(self.covered_m2, self.square_m2)
        return AreaPatrol(self.name, self.found, self.reported, coverage)

    def add(self, other: _Tally) -> None:
        self.found += other.found
        self.reported += other.reported
        self.covered_m2 += other.covered_m2
        self.square_m2 += other.square_m2


async def monthly(
    database: Database,
    month: date,
    tz: tzinfo,
    ids: set[int] | None = None,
    *,
    by_community: bool = False,
) -> list[AreaPatrol]:
    """Each area with cases submitted in `month` or a patrolled grid, by name; only the areas
    of `ids` when given; grids summed into their communities when `by_community`."""
    tallies = await _counted(database, month, tz, ids)
    _, grids = await coverage.grids(database, month, tz, ids)
    for grid in grids:
        tally = tallies.setdefault(grid.area_id, _Tally(grid.name, grid.parent_id))
        tally.square_m2, tally.covered_m2 = grid.square_m2, grid.share * grid.square_m2
    if by_community:
        tallies = await _communities(database, tallies)
    rows = [t.row() for t in tallies.values() if t.found or t.reported or t.covered_m2 > 0]
    return sorted(rows, key=lambda row: row.area)


async def _counted(
    database: Database, month: date, tz: tzinfo, ids: set[int] | None
) -> dict[int, _Tally]:
    start, end = month_bounds(month, tz)
    by_patrol = or_(Case.officer_found.is_(True), exists().where(DutyFind.case_id == Case.id))
    query = (
        select(
            Area.id,
            Area.name,
            Area.parent_id,
            func.count(),
            func.sum(case((by_patrol, 1), else_=0)),
        )
        .join(Area, Area.id == Case.area_id)
        .where(Case.status != CaseStatus.DRAFT)
        .where(Case.submitted_at >= start, Case.submitted_at < end)
        .group_by(Area.id, Area.name, Area.parent_id)
    )
    if ids is not None:
        query = query.where(Area.id.in_(sorted(ids)))
    async with database.sessions() as session:
        rows = (await session.execute(query)).all()
    return {
        area_id: _Tally(name, parent, int(found or 0), int(total) - int(found or 0))
        for area_id, name, parent, total, found in rows
    }


async def _communities(database: Database, tallies: dict[int, _Tally]) -> dict[int, _Tally]:
    """The grids' tallies added into their communities' (other areas' kept as they are)."""
    async with database.sessions() as session:
        rows = await session.execute(
            select(Area.id, Area.name).where(Area.level == AreaLevel.COMMUNITY)
        )
        communities = {row.id: row.name for row in rows.all()}
    summed: dict[int, _Tally] = {}
    for area_id, tally in tallies.items():
        into = area_id if area_id in communities else tally.parent_id
        if into not in communities:
            summed[area_id] = tally
            continue
        summed.setdefault(into, _Tally(communities[into], None)).add(tally)
    return summed
