"""Which members of a station are on duty now, by their shifts and their own switch
(bot/stations/shifts.py), among those who can be alerted (not banned, reachable)."""

from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.stations.shifts import Shift, Switch, on_duty
from storage.models import Person, StationMember, StationShift


async def members_on_duty(
    session: AsyncSession, station_id: int, now: datetime, tz: tzinfo
) -> list[Person]:
    """The station's members on duty at `now` who can be alerted, by id."""
    rows = (
        await session.execute(
            select(Person, StationMember.on_duty, StationMember.switched_at)
            .join(StationMember, StationMember.person_id == Person.id)
            .where(
                StationMember.station_id == station_id,
                Person.banned.is_(False),
                Person.reachable.is_(True),
            )
            .order_by(Person.id)
        )
    ).all()
    shifts = await shifts_of(session, station_id)
    return [
        person
        for person, on, switched_at in rows
        if on_duty(shifts.get((station_id, person.id), []), switch(on, switched_at), now, tz)
    ]


def switch(on: bool, switched_at: datetime | None) -> Switch | None:
    """A member's own switch, if they ever used one."""
    return Switch(on, switched_at) if switched_at is not None else None


async def shifts_of(
    session: AsyncSession, station_id: int | None = None
) -> dict[tuple[int, int], list[Shift]]:
    """Each member's shifts by (station id, person id), at one station or at all."""
    query = select(StationShift).order_by(StationShift.weekday, StationShift.start_minute)
    if station_id is not None:
        query = query.where(StationShift.station_id == station_id)
    found: dict[tuple[int, int], list[Shift]] = {}
    for row in await session.scalars(query):
        found.setdefault((row.station_id, row.person_id), []).append(
            Shift(row.weekday, row.start_minute, row.end_minute)
        )
    return found
