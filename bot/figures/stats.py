"""Indicators of the digital city management standard (GB/T 30428), per area and per category.

The cohort of a period is the cases submitted in [period.start, period.end) that are not
drafts, within the scope (an area and the areas inside it, or the whole street).

| indicator | 中文 | formula |
|---|---|---|
| filed | 立案数 | cohort size |
| dispatched | 派遣数 | cohort cases routed to a grid (their area is a grid) |
| accepted | 受理数 | cohort cases with `accepted_at` set |
| valid | 有效案件 | cohort minus REJECTED and DUPLICATE |
| on-time handling rate | 按期处置率 | valid with `resolved_at <= resolve_due_at` / valid due (¹) |
| closure rate | 结案率 | CLOSED / valid |
| on-time closure rate | 按期结案率 | CLOSED with `resolved_at <= resolve_due_at` / valid |
| rework rate | 返工率 | cases with `rework_count > 0` / cases resolved at least once (²) |
| time to accept | 受理用时 | median of `accepted_at - submitted_at`, minutes |
| time to resolve | 处置用时 | median of `resolved_at - submitted_at`, minutes |
| satisfaction | 满意度 | mean `rating` (1–5) of rated cases |
| share rated | 评价率 | rated / CLOSED |

(¹) due: resolved, or `resolve_due_at` before min(now, period end).
(²) `resolved_at` set, or sent back (a reopened case's `resolved_at` is cleared until it is
resolved again), so the rate never exceeds 100 %.

A rate with a zero denominator is "no data" (None), never 0 % or 100 %.

Counts are SQL aggregates grouped by (area, category), added up here into grids, communities,
categories and the total. Medians: `percentile_cont` with GROUPING SETS on PostgreSQL; SQLite
has neither, so there only the two durations of each cohort case are fetched.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    case,
    func,
    literal,
    literal_column,
    or_,
    select,
    tuple_,
)
from sqlalchemy.ext.asyncio import AsyncSession

from bot.figures.indicators import Counts, Figures, median
from bot.timing.periods import Period
from storage.db import Database
from storage.models import Area, AreaLevel, Case, CaseStatus
from storage.types import utcnow

NOT_VALID = (CaseStatus.REJECTED, CaseStatus.DUPLICATE, CaseStatus.WITHDRAWN)
TOTAL = "total"
AREA = "area"
CATEGORY = "category"
Key = tuple[str, int | None]


@dataclass(frozen=True)
class Tree:
    """The areas of the street, to roll grids up into communities."""

    areas: dict[int, Area]

    def is_grid(self, area_id: int | None) -> bool:
        area = self.areas.get(area_id) if area_id is not None else None
        return area is not None and area.level == AreaLevel.GRID

    def community_of(self, area_id: int | None) -> int | None:
        area = self.areas.get(area_id) if area_id is not None else None
        if area is None:
            return None
        if area.level == AreaLevel.GRID:
            return area.parent_id
        return area.id if area.level == AreaLevel.COMMUNITY else None

    def grids(self, scope: Area | None) -> list[Area]:
        """The grids within the scope (every grid of the street for None), by code."""
        return self._within(scope, AreaLevel.GRID)

    def shown(self, scope: Area | None) -> list[Area]:
        """The areas a report lists: the communities of a street, else the grids of the scope."""
        if scope is None or scope.level == AreaLevel.STREET:
            return self._within(scope, AreaLevel.COMMUNITY)
        return self.grids(scope)

    def _within(self, scope: Area | None, level: AreaLevel) -> list[Area]:
        found = [
            area
            for area in self.areas.values()
            if area.level == level and (scope is None or scope.id in self._lineage(area))
        ]
        return sorted(found, key=lambda area: area.code)

    def _lineage(self, area: Area) -> set[int]:
        """The area and every area that holds it."""
        found = {area.id}
        while area.parent_id is not None and area.parent_id not in found:
            found.add(area.parent_id)
            parent = self.areas.get(area.parent_id)
            if parent is None:
                break
            area = parent
        return found

    def keys(self, area_id: int | None, category_id: int | None) -> list[Key]:
        """The groups a case of this area and category counts in."""
        keys: list[Key] = [(TOTAL, None), (CATEGORY, category_id)]
        if self.is_grid(area_id):
            keys.append((AREA, area_id))
        if (community := self.community_of(area_id)) is not None:
            keys.append((AREA, community))
        return keys


@dataclass(frozen=True)
class Report:
    total: Figures
    by_area: dict[int, Figures]  # grids and communities
    by_category: dict[int | None, Figures]


async def load_tree(database: Database) -> Tree:
    async with database.sessions() as session:
        areas = (await session.scalars(select(Area))).all()
    return Tree({area.id: area for area in areas})


async def report(
    database: Database,
    period: Period,
    scope_ids: set[int] | None,
    tree: Tree,
    now: datetime | None = None,
) -> Report:
    """The indicators of the cohort, in total, per grid and community, and per category."""
    counts = await tally(database, period, scope_ids, tree, now)
    async with database.sessions() as session:
        if database.is_sqlite:
            medians = await _medians_by_fetching(session, period, scope_ids, tree)
        else:
            medians = await _medians_in_sql(session, period, scope_ids, tree)
    figures = {
        key: Figures(value, *medians.get(key, (None, None))) for key, value in counts.items()
    }
    return Report(
        total=figures.get((TOTAL, None), Figures(Counts())),
        by_area={k[1]: f for k, f in figures.items() if k[0] == AREA and k[1] is not None},
        by_category={k[1]: f for k, f in figures.items() if k[0] == CATEGORY},
    )


async def tally(
    database: Database,
    period: Period,
    scope_ids: set[int] | None,
    tree: Tree,
    now: datetime | None = None,
) -> dict[Key, Counts]:
    """The counts of every group (total, grids, communities, categories) of the cohort."""
    cutoff = min(now or utcnow(), period.end)
    valid = Case.status.not_in(NOT_VALID)
    on_time = Case.resolved_at <= Case.resolve_due_at
    closed = Case.status == CaseStatus.CLOSED
    query = select(
        Case.area_id,
        Case.category_id,
        func.count(),
        func.count(Case.accepted_at),
        _number(valid),
        _number(valid & (Case.resolved_at.is_not(None) | (Case.resolve_due_at < cutoff))),
        _number(valid & on_time),
        _number(closed),
        _number(closed & on_time),
        _number(Case.resolved_at.is_not(None) | (Case.rework_count > 0)),
        _number(Case.rework_count > 0),
        func.count(Case.rating),
        func.coalesce(func.sum(Case.rating), 0),
        _number(Case.status == CaseStatus.WITHDRAWN),
    ).group_by(Case.area_id, Case.category_id)
    async with database.sessions() as session:
        rows = (await session.execute(_cohort(query, period, scope_ids))).all()
    totals: dict[Key, Counts] = defaultdict(Counts)
    for area_id, category_id, filed, accepted, *rest in rows:
        dispatched = filed if tree.is_grid(area_id) else 0  # routed to a grid
        counts = Counts(filed, dispatched, accepted, *(int(value) for value in rest))
        for key in tree.keys(area_id, category_id):
            totals[key] += counts
    return dict(totals)


def _number(condition: ColumnElement[bool]) -> ColumnElement[Any]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


def _cohort(query: Select[Any], period: Period, scope_ids: set[int] | None) -> Select[Any]:
    query = query.where(
        Case.submitted_at >= period.start,
        Case.submitted_at < period.end,
        Case.status != CaseStatus.DRAFT,
    )
    return query if scope_ids is None else query.where(Case.area_id.in_(scope_ids))


Medians = dict[Key, tuple[float | None, float | None]]


async def _medians_in_sql(
    session: AsyncSession, period: Period, scope_ids: set[int] | None, tree: Tree
) -> Medians:
    def minutes(later: Any) -> ColumnElement[Any]:
        # date_part is double precision; EXTRACT is numeric (PostgreSQL 14+), several times
        # slower to sort, and percentile_cont sorts every group of every grouping set.
        waited = func.date_part("epoch", later - Case.submitted_at)
        return func.percentile_cont(0.5).within_group(waited) / 60

    # A literal, not a bound parameter: GROUP BY must repeat the selected expression exactly.
    community = case(
        (Area.level == literal_column(f"'{AreaLevel.GRID.value}'"), Area.parent_id),
        else_=case((Area.level == literal_column(f"'{AreaLevel.COMMUNITY.value}'"), Area.id)),
    )
    sets = func.grouping_sets(
        tuple_(Case.area_id), tuple_(community), tuple_(Case.category_id), tuple_()
    )
    query = (
        select(
            func.grouping(Case.area_id, community, Case.category_id),
            Case.area_id,
            community,
            Case.category_id,
            minutes(Case.accepted_at),
            minutes(Case.resolved_at),
        )
        .outerjoin(Area, Area.id == Case.area_id)
        .group_by(sets)
    )
    found: Medians = {}
    for mask, area_id, community_id, category_id, accept, resolve in (
        await session.execute(_cohort(query, period, scope_ids))
    ).all():
        key = _set_key(tree, mask, area_id, community_id, category_id)
        if key is not None:
            found[key] = (_float(accept), _float(resolve))
    return found


def _set_key(
    tree: Tree, mask: int, area_id: int | None, community_id: int | None, category_id: int | None
) -> Key | None:
    """The group of a GROUPING SETS row (the mask has a bit set for each column left out)."""
    if mask == 0b011:
        return (AREA, area_id) if tree.is_grid(area_id) else None
    if mask == 0b101:
        return (AREA, community_id) if community_id is not None else None
    if mask == 0b110:
        return (CATEGORY, category_id)
    return (TOTAL, None)


def _float(value: Any) -> float | None:
    return float(value) if value is not None else None


async def _medians_by_fetching(
    session: AsyncSession, period: Period, scope_ids: set[int] | None, tree: Tree
) -> Medians:
    def minutes(later: Any) -> ColumnElement[Any]:
        return (func.julianday(later) - func.julianday(Case.submitted_at)) * 24 * 60

    query = select(
        Case.area_id, Case.category_id, minutes(Case.accepted_at), minutes(Case.resolved_at)
    ).where(or_(Case.accepted_at.is_not(None), Case.resolved_at.is_not(None)))
    accept: dict[Key, list[float | None]] = defaultdict(list)
    resolve: dict[Key, list[float | None]] = defaultdict(list)
    for area_id, category_id, to_accept, to_resolve in (
        await session.execute(_cohort(query, period, scope_ids))
    ).all():
        for key in tree.keys(area_id, category_id):
            accept[key].append(to_accept)
            resolve[key].append(to_resolve)
    return {key: (median(accept[key]), median(resolve[key])) for key in accept}


Daily = dict[date, dict[int | None, int]]


async def daily(database: Database, period: Period, scope_ids: set[int] | None) -> Daily:
    """Cases per local day and category in the period (days without cases left out)."""
    async with database.sessions() as session:
        if database.is_sqlite:
            rows = await _days_by_fetching(session, period, scope_ids)
        else:
            rows = await _days_in_sql(session, period, scope_ids)
    found: Daily = defaultdict(lambda: defaultdict(int))
    for local_day, category_id, count in rows:
        found[local_day][category_id] += count
    return {day: dict(counts) for day, counts in found.items()}


async def _days_in_sql(
    session: AsyncSession, period: Period, scope_ids: set[int] | None
) -> list[tuple[date, int | None, int]]:
    zone = literal(str(period.tz), literal_execute=True)  # inline, as in `_medians_in_sql`
    day = func.date(func.timezone(zone, Case.submitted_at))
    query = select(day, Case.category_id, func.count()).group_by(day, Case.category_id)
    rows = (await session.execute(_cohort(query, period, scope_ids))).all()
    return [(local_day, category_id, count) for local_day, category_id, count in rows]


async def _days_by_fetching(
    session: AsyncSession, period: Period, scope_ids: set[int] | None
) -> list[tuple[date, int | None, int]]:
    """SQLite knows no time zones: the cohort's times, each put on its local day here."""
    query = select(Case.submitted_at, Case.category_id)
    rows = (await session.execute(_cohort(query, period, scope_ids))).all()
    return [(submitted.astimezone(period.tz).date(), category, 1) for submitted, category in rows]
