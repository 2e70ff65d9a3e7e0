"""Posters: a grid's (optionally a category's) printable QR code that starts a report there.

Its link is `t.me/<bot>?start=p_<grid id>[_<category id>]`. The ids only say where the poster
hangs: grids and categories are public, and a forged payload can do no more than a resident
picking a place by hand (the report still goes through every check of filing). Who may print a
poster is decided here (`may_make`), for the command and for its buttons alike.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import PoliteError
from bot.reports import drafts
from storage.db import Database
from storage.models import Area, AreaLevel, Case, Category, Person, Role

POSTER_PREFIX = "p_"
PAYLOAD = re.compile(r"p_(\d{1,18})(?:_(\d{1,18}))?")


@dataclass(frozen=True)
class PosterPlace:
    """Where a poster hangs and what it asks about."""

    grid: Area
    community: Area | None
    street: Area | None
    category: Category | None


def payload(grid_id: int, category_id: int | None = None) -> str:
    """The `start` parameter of a poster's link (at most 39 of Telegram's 64 characters)."""
    tail = f"_{category_id}" if category_id is not None else ""
    return f"{POSTER_PREFIX}{grid_id}{tail}"


def link(bot_username: str, grid_id: int, category_id: int | None = None) -> str:
    """The link a poster's QR code holds."""
    return f"https://t.me/{bot_username}?start={payload(grid_id, category_id)}"


def is_poster(start_parameter: str | None) -> bool:
    return (start_parameter or "").startswith(POSTER_PREFIX)


async def place_of(database: Database, start_parameter: str) -> PosterPlace | None:
    """The grid (and category) a poster's link names; None for a malformed or unknown grid.
    A category that no longer takes reports is left out: the poster still names its grid."""
    matched = PAYLOAD.fullmatch(start_parameter)
    if matched is None:
        return None
    grid_id, category_id = int(matched[1]), int(matched[2]) if matched[2] else None
    async with database.sessions() as session:
        grid = await session.get(Area, grid_id)
        if grid is None or grid.level != AreaLevel.GRID:
            return None
        category = await session.get(Category, category_id) if category_id else None
        return await _place(session, grid, category if category and category.active else None)


def may_make(person: Person, grid: Area) -> bool:
    """Admins print posters for any grid; a lead only for the grids of their own community."""
    if person.banned or grid.level != AreaLevel.GRID:
        return False
    if person.role == Role.ADMIN:
        return True
    return (
        person.role == Role.LEAD
        and person.area_id is not None
        and (grid.parent_id == person.area_id)
    )


async def for_staff(
    database: Database, person: Person, grid_name: str, category_name: str | None = None
) -> PosterPlace:
    """The poster a lead or admin asks for by grid (code or name) and category (code or name);
    refused politely when either is unknown or the grid is not theirs."""
    async with database.sessions() as session:
        grid = await session.scalar(
            select(Area)
            .where(or_(func.lower(Area.code) == grid_name.lower(), Area.name == grid_name))
            .order_by(Area.id)
            .limit(1)
        )
        if grid is None:
            raise PoliteError("scope.unknown_area", area=grid_name)
        if grid.level != AreaLevel.GRID:
            raise PoliteError("poster.not_a_grid", area=grid.name)
        if not may_make(person, grid):
            raise PoliteError("error.not_allowed")
        category = await _category(session, category_name) if category_name else None
        return await _place(session, grid, category)


async def by_ids(
    database: Database, person: Person, grid_id: int, category_id: int | None
) -> PosterPlace:
    """The poster a button asks for: the same rule as the command, the ids checked again."""
    async with database.sessions() as session:
        grid = await session.get(Area, grid_id)
        if grid is None or not may_make(person, grid):
            raise PoliteError("error.not_allowed")
        category = await session.get(Category, category_id) if category_id else None
        if category_id and (category is None or not category.active):
            raise PoliteError("error.stale_button")
        return await _place(session, grid, category)


async def start_report(database: Database, person_id: int, place: PosterPlace) -> Case:
    """The person's draft (new, or the one they left) placed in the poster's grid and, when the
    poster names one and the draft has none yet, its category: neither is asked again."""
    draft = await drafts.start(database, person_id)
    if place.category is not None and draft.category_id is None:
        draft = await drafts.choose_category(database, draft, place.category.id)
    if draft.latitude is None:
        draft = await drafts.choose_grid(database, draft.id, place.grid.id)
    return draft


async def _category(session: AsyncSession, wanted: str) -> Category:
    lowered = wanted.strip().lower()
    category = await session.scalar(
        select(Category).where(
            Category.active.is_(True),
            or_(
                func.lower(Category.code) == lowered,
                Category.name_zh == wanted.strip(),
                func.lower(Category.name_en) == lowered,
            ),
        )
    )
    if category is None:
        raise PoliteError("poster.unknown_category", category=wanted)
    return category


async def _place(session: AsyncSession, grid: Area, category: Category | None) -> PosterPlace:
    community = await session.get(Area, grid.parent_id) if grid.parent_id else None
    street = (
        await session.get(Area, community.parent_id)
        if community is not None and community.parent_id
        else None
    )
    return PosterPlace(grid, community, street, category)
