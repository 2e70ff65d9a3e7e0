"""The area tree: the street holds communities, which hold grids."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.models import Area


async def within(session: AsyncSession, area_ids: Iterable[int]) -> set[int]:
    """The areas and every area inside them (a street holds communities, which hold grids)."""
    found = set(area_ids)
    frontier = set(found)
    while frontier:
        children = set(
            (await session.scalars(select(Area.id).where(Area.parent_id.in_(frontier)))).all()
        )
        frontier = children - found
        found |= frontier
    return found


async def around(session: AsyncSession, area_ids: Iterable[int]) -> set[int]:
    """The areas that hold these ones (a grid's community, a community's street)."""
    found: set[int] = set()
    frontier = set(area_ids)
    while frontier:
        parents = set(
            (
                await session.scalars(
                    select(Area.parent_id).where(Area.id.in_(frontier), Area.parent_id.is_not(None))
                )
            ).all()
        )
        frontier = parents - found
        found |= frontier
    return found
