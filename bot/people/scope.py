"""Which areas a lead or an admin may look at, from an optional `[area]` argument.

Admins see the whole street (no area) or any area; leads see their community and its grids, and
asking for no area means their own community.
"""

from __future__ import annotations

from datetime import tzinfo

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import PoliteError
from bot.places.tree import within
from bot.texts import Translator
from bot.timing import periods
from bot.timing.periods import Period
from storage.db import Database
from storage.models import Area, Person, Role
from storage.types import utcnow


async def area_for(database: Database, person: Person, argument: str | None) -> Area | None:
    """The area named by code or name (None: the whole street), checked against the viewer."""
    async with database.sessions() as session:
        if not argument:
            return await _own_area(session, person)
        wanted = argument.strip()
        area = await session.scalar(
            select(Area)
            .where(or_(func.lower(Area.code) == wanted.lower(), Area.name == wanted))
            .order_by(Area.id)
            .limit(1)
        )
        if area is None:
            raise PoliteError("scope.unknown_area", area=wanted)
        if person.role == Role.ADMIN:
            return area
        lead_area = person.area_id if person.role == Role.LEAD else None
        if lead_area is not None and area.id in await within(session, [lead_area]):
            return area
        raise PoliteError("error.not_allowed")


async def period_and_area(
    database: Database, person: Person, argument: str | None, tz: tzinfo
) -> tuple[Period, Area | None]:
    """`[period] [area]` as commands take them (a period first, default this month)."""
    today = utcnow().astimezone(tz).date()
    period, rest = periods.parse((argument or "").split(), today, tz)
    return period, await area_for(database, person, " ".join(rest) or None)


def area_name(t: Translator, area: Area | None) -> str:
    """The area's name, or "the whole street"."""
    return area.name if area is not None else t("staff.whole_street")


async def _own_area(session: AsyncSession, person: Person) -> Area | None:
    if person.role == Role.ADMIN:
        return None
    if person.role == Role.LEAD and person.area_id is not None:
        return await session.get(Area, person.area_id)
    raise PoliteError("error.not_allowed")


async def area_ids(database: Database, area: Area | None) -> set[int] | None:
    """The ids of the area and every area inside it; None for the whole street."""
    if area is None:
        return None
    async with database.sessions() as session:
        return await within(session, [area.id])
