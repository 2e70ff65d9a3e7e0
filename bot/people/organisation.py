"""The street's organisation as leads and admins see it: the area tree with its staff and its
open cases, within the viewer's scope (bot.people.scope)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import func, select

from bot.people.scope import area_ids
from storage.db import Database
from storage.models import OPEN_STATUSES, Area, Case, Person, Role

ROLE_ORDER = {Role.ADMIN: 0, Role.LEAD: 1, Role.OFFICER: 2}


@dataclass
class Branch:
    """One area of the tree, with its depth under the top of the scope."""

    area: Area
    depth: int
    officers: int = 0  # in the area and every area inside it
    open_cases: int = 0
    people: list[Person] = field(default_factory=list)  # staff bound to this very area


async def branches(database: Database, top: Area | None) -> list[Branch]:
    """The areas within `top` (None: the whole street) in tree order, with staff and counts."""
    ids = await area_ids(database, top)
    async with database.sessions() as session:
        query = select(Area).order_by(Area.code)
        if ids is not None:
            query = query.where(Area.id.in_(ids))
        areas = list((await session.scalars(query)).all())
        staff = (
            await session.scalars(
                select(Person).where(Person.role != Role.RESIDENT).order_by(Person.id)
            )
        ).all()
        open_rows = await session.execute(
            select(Case.area_id, func.count())
            .where(Case.status.in_([s.value for s in OPEN_STATUSES]), Case.area_id.is_not(None))
            .group_by(Case.area_id)
        )
        open_here: dict[int, int] = dict(open_rows.tuples().all())
    tree = _walk(areas)
    by_id = {branch.area.id: branch for branch in tree}
    for person in sorted(staff, key=lambda p: (ROLE_ORDER[p.role], p.id)):
        if person.area_id in by_id:
            by_id[person.area_id].people.append(person)
    officers = Counter(p.area_id for p in staff if p.role == Role.OFFICER)
    _add_up(tree, by_id, officers, open_here)
    return tree


async def unbound_admins(database: Database) -> list[Person]:
    """Admins bound to no area: they look after the whole street."""
    async with database.sessions() as session:
        rows = await session.scalars(
            select(Person)
            .where(Person.role == Role.ADMIN, Person.area_id.is_(None))
            .order_by(Person.id)
        )
        return list(rows.all())


def _walk(areas: Iterable[Area]) -> list[Branch]:
    """Depth first from the areas whose parent is outside the list."""
    areas = list(areas)
    known = {area.id for area in areas}
    children: dict[int | None, list[Area]] = {}
    for area in areas:
        parent = area.parent_id if area.parent_id in known else None
        children.setdefault(parent, []).append(area)
    tree: list[Branch] = []

    def visit(parent: int | None, depth: int) -> None:
        for area in children.get(parent, []):
            tree.append(Branch(area, depth))
            visit(area.id, depth + 1)

    visit(None, 0)
    return tree


def _add_up(
    tree: list[Branch], by_id: dict[int, Branch], officers: Counter, open_here: dict[int, int]
) -> None:
    """Each area counts what lies in it and in every area inside it (children come later)."""
    for branch in reversed(tree):
        branch.officers += officers.get(branch.area.id, 0)
        branch.open_cases += open_here.get(branch.area.id, 0)
        parent = by_id.get(branch.area.parent_id or 0)
        if parent is not None:
            parent.officers += branch.officers
            parent.open_cases += branch.open_cases
