"""The register of stations: admins add a station and its members; members go on and off duty."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo

from sqlalchemy import delete, select, update

from bot.errors import PoliteError
from bot.places.geo import valid_point
from bot.stations import on_duty
from bot.stations import shifts as rules
from bot.stations.shifts import Shift
from storage.db import Database
from storage.models import Area, AreaLevel, Person, Station, StationMember, StationShift
from storage.types import utcnow
from storage.upsert import insert_if_absent, upsert


class StationError(PoliteError):
    """An unknown station, community or person, or a place that is not on Earth."""


@dataclass(frozen=True)
class Member:
    person: Person
    on_duty: bool  # now, by their shifts and switch
    shifts: list[Shift]


@dataclass(frozen=True)
class Listed:
    station: Station
    community: str
    members: list[Member]


async def save_station(
    database: Database, name: str, community_code: str, latitude: float, longitude: float
) -> Station:
    """Add a station, or move an existing one (by name) to another place or community."""
    if not valid_point(latitude, longitude):
        raise StationError("stations.bad_place")
    async with database.transaction() as session:
        community = await session.scalar(select(Area).where(Area.code == community_code))
        if community is None or community.level != AreaLevel.COMMUNITY:
            raise StationError("stations.unknown_community", code=community_code)
        values = {
            "name": name,
            "community_id": community.id,
            "latitude": latitude,
            "longitude": longitude,
        }
        await upsert(session, Station, values, ["name"])
        station = await session.scalar(select(Station).where(Station.name == name))
    assert station is not None
    return station


async def station_named(database: Database, name: str) -> Station:
    async with database.sessions() as session:
        station = await session.scalar(select(Station).where(Station.name == name))
    if station is None:
        raise StationError("stations.unknown_station", name=name)
    return station


async def add_member(database: Database, station_name: str, tg_id: int) -> Person:
    """Make the person with Telegram id `tg_id` a member (on duty) of the station."""
    station = await station_named(database, station_name)
    async with database.transaction() as session:
        await insert_if_absent(session, Person, {"tg_id": tg_id, "name": ""}, ["tg_id"])
        person = await session.scalar(select(Person).where(Person.tg_id == tg_id))
        assert person is not None
        await insert_if_absent(
            session,
            StationMember,
            {"station_id": station.id, "person_id": person.id, "on_duty": True},
            ["station_id", "person_id"],
        )
    return person


async def remove_member(database: Database, station_name: str, tg_id: int) -> None:
    station = await station_named(database, station_name)
    async with database.transaction() as session:
        person_id = await session.scalar(select(Person.id).where(Person.tg_id == tg_id))
        removed = await session.execute(
            delete(StationMember).where(
                StationMember.station_id == station.id, StationMember.person_id == person_id
            )
        )
        if not removed.rowcount:  # type: ignore[attr-defined]
            raise StationError("stations.not_member", tg_id=tg_id, name=station.name)


async def stations_of(database: Database, person_id: int) -> list[Station]:
    """The stations the person is a member of."""
    async with database.sessions() as session:
        rows = await session.scalars(
            select(Station)
            .join(StationMember, StationMember.station_id == Station.id)
            .where(StationMember.person_id == person_id)
            .order_by(Station.name)
        )
        return list(rows.all())


async def set_duty(database: Database, person_id: int, on_duty: bool) -> None:
    """On or off duty at every station the person is a member of, by their own switch: it
    holds until one of their shifts starts or ends (bot/stations/shifts.py)."""
    async with database.transaction() as session:
        await session.execute(
            update(StationMember)
            .where(StationMember.person_id == person_id)
            .values(on_duty=on_duty, switched_at=utcnow())
        )


async def has_shifts(database: Database, person_id: int) -> bool:
    """Whether the person has a shift at any station."""
    async with database.sessions() as session:
        found = await session.scalar(
            select(StationShift.id).where(StationShift.person_id == person_id).limit(1)
        )
    return found is not None


async def set_shifts(
    database: Database, station_name: str, tg_id: int, shifts: list[Shift]
) -> None:
    """Replace the member's weekly shifts at the station (none: they go by their switch)."""
    station = await station_named(database, station_name)
    async with database.transaction() as session:
        person_id = await session.scalar(
            select(StationMember.person_id)
            .join(Person, Person.id == StationMember.person_id)
            .where(StationMember.station_id == station.id, Person.tg_id == tg_id)
        )
        if person_id is None:
            raise StationError("stations.not_member", tg_id=tg_id, name=station.name)
        await session.execute(
            delete(StationShift).where(
                StationShift.station_id == station.id, StationShift.person_id == person_id
            )
        )
        session.add_all(
            StationShift(
                station_id=station.id,
                person_id=person_id,
                weekday=shift.weekday,
                start_minute=shift.start,
                end_minute=shift.end,
            )
            for shift in shifts
        )


async def all_stations(database: Database) -> list[Station]:
    async with database.sessions() as session:
        return list((await session.scalars(select(Station).order_by(Station.id))).all())


async def listing(
    database: Database, tz: tzinfo, community_id: int | None = None, now: datetime | None = None
) -> list[Listed]:
    """The stations (of one community, or all) with their members, their shifts and whether
    each is on duty now."""
    now = now or utcnow()
    async with database.sessions() as session:
        query = select(Station, Area.name).join(Area, Area.id == Station.community_id)
        if community_id is not None:
            query = query.where(Station.community_id == community_id)
        rows = (await session.execute(query.order_by(Area.code, Station.name))).all()
        members = (
            await session.execute(
                select(StationMember, Person)
                .join(Person, Person.id == StationMember.person_id)
                .order_by(Person.id)
            )
        ).all()
        every_shift = await on_duty.shifts_of(session)
    by_station: dict[int, list[Member]] = {}
    for member, person in members:
        own = every_shift.get((member.station_id, person.id), [])
        duty = rules.on_duty(own, on_duty.switch(member.on_duty, member.switched_at), now, tz)
        by_station.setdefault(member.station_id, []).append(Member(person, duty, own))
    return [Listed(station, name, by_station.get(station.id, [])) for station, name in rows]
