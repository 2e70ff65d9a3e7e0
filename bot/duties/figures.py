"""履职率: duties due and done on time, per area and month (by the month their deadline falls
in, in the street's time zone)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, tzinfo

from sqlalchemy import or_, select

from bot.texts.shares import share
from storage.db import Database
from storage.models import Area, Duty, DutyOccurrence


@dataclass(frozen=True)
class AreaDuties:
    area: str  # the area's name, "" for the street's own duties
    due: int
    on_time: int
    late: int  # done after the deadline
    missed: int  # past the deadline and not done

    @property
    def rate(self) -> float | None:
        return share(self.on_time, self.due)


def month_bounds(month: date, tz: tzinfo) -> tuple[datetime, datetime]:
    first = month.replace(day=1)
    after = (
        first.replace(year=first.year + 1, month=1)
        if first.month == 12
        else first.replace(month=first.month + 1)
    )
    return datetime.combine(first, time(), tz), datetime.combine(after, time(), tz)


async def monthly(
    database: Database, month: date, tz: tzinfo, now: datetime, community_id: int | None = None
) -> list[AreaDuties]:
    """Each area's occurrences whose deadline fell in `month`: done, or past it by `now`; only
    the community's own and its grids' when `community_id` is given (a lead's view)."""
    start, end = month_bounds(month, tz)
    query = (
        select(DutyOccurrence.due_at, DutyOccurrence.done_at, Area.name)
        .join(Duty, Duty.id == DutyOccurrence.duty_id)
        .outerjoin(Area, Area.id == Duty.area_id)
        .where(DutyOccurrence.due_at >= start, DutyOccurrence.due_at < end)
        .where(or_(DutyOccurrence.due_at <= now, DutyOccurrence.done_at.is_not(None)))
    )
    if community_id is not None:
        query = query.where(or_(Area.id == community_id, Area.parent_id == community_id))
    async with database.sessions() as session:
        rows = (await session.execute(query)).all()
    counts: dict[str, list[int]] = {}
    for due_at, done_at, name in rows:
        tally = counts.setdefault(name or "", [0, 0, 0, 0])
        tally[0] += 1
        if done_at is None:
            tally[3] += 1
        elif done_at <= due_at:
            tally[1] += 1
        else:
            tally[2] += 1
    return [AreaDuties(name, *tally) for name, tally in sorted(counts.items())]
