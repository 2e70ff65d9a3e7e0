"""The spatial index of grids and communities, kept per database while the areas are unchanged.

Building one reads every boundary; checking that the areas are unchanged (their count and last
update) costs a scan of them, so it is done at most every few seconds, not for every point.
"""

from __future__ import annotations

import time
import weakref
from dataclasses import dataclass

from sqlalchemy import func, select

from bot.places.geo import AreaIndex
from storage.db import Database, root_of
from storage.models import Area, AreaLevel

# Seconds between two checks that the areas are unchanged (their count and last update tell).
# An import in this process forgets the index at once; another instance's import is seen within
# this delay. Checking costs a scan of the areas (milliseconds at 10,000 grids), so not per point.
AREAS_RECHECK_S = 5.0


@dataclass
class _CachedIndex:
    version: tuple[object, ...]
    index: AreaIndex
    checked_at: float


_INDEXES: weakref.WeakKeyDictionary[Database, _CachedIndex] = weakref.WeakKeyDictionary()


async def area_index(database: Database) -> AreaIndex:
    """The spatial index of grids and communities, rebuilt only when the areas changed."""
    cached = _INDEXES.get(root_of(database))
    if cached is not None and time.monotonic() - cached.checked_at < AREAS_RECHECK_S:
        return cached.index
    searchable = Area.level.in_([AreaLevel.GRID, AreaLevel.COMMUNITY])
    async with database.sessions() as session:
        version = tuple(
            (
                await session.execute(
                    select(func.count(), func.max(Area.updated_at)).where(searchable)
                )
            ).one()
        )
        if cached is not None and cached.version == version:
            cached.checked_at = time.monotonic()
            return cached.index
        rows = await session.execute(
            select(Area.id, Area.level, Area.parent_id, Area.boundary).where(searchable)
        )
        index = AreaIndex((i, level.value, parent, boundary) for i, level, parent, boundary in rows)
    _INDEXES[root_of(database)] = _CachedIndex(version, index, time.monotonic())
    return index


def forget_area_index(database: Database) -> None:
    """The areas changed here: build the index anew at the next lookup."""
    _INDEXES.pop(root_of(database), None)
