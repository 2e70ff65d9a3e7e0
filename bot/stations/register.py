"""The register of stations: admins add a station and its members; members go on and off duty."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import delete, select, update

from bot.errors import PoliteError
from bot.places.geo import valid_point
from storage.db import Database
from storage.models import Area, AreaLevel, Person, Station, StationMember
from storage.upsert import insert_if_absent, upsert


class StationError(PoliteError):
    """An unknown station, community or person, or a place that is not on Earth."""


@dataclass(frozen=True)
class Listed:
    station: Station
    community: str
    members: list[tuple[Person, bool]]  # each member, and whether on duty


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
    """On or off duty at every station the person is a member of."""
    async with database.transaction() as session:
        await session.execute(
            update(StationMember)
            .where(StationMember.person_id == person_id)
            .values(on_duty=on_duty)
        )


async def all_stations(database: Database) -> list[Station]:
    async with database.sessions() as session:
        return list((await session.scalars(select(Station).order_by(Station.id))).all())


async def listing(database: Database, community_id: int | None = None) -> list[Listed]:
    """The stations (of one community, or all) with their members."""
    async with database.sessions() as session:
        query = select(Station, Area.name).join(Area, Area.id == Station.community_id)
        if community_id is not None:
            query = query.where(Station.community_id == community_id)
        rows = (await session.execute(query.order_by(Area.code, Station.name))).all()
        members = (
            await session.execute(
                select(StationMember.station_id, Person, StationMember.on_duty)
                .join(Person, Person.id == StationMember.person_id)
                .order_by(Person.id)
            )
        ).all()
    by_station: dict[int, list[tuple[Person, bool]]] = {}
    for station_id, person, on_duty in members:
        by_station.setdefault(station_id, []).append((person, on_duty))
    return [Listed(station, name, by_station.get(station.id, [])) for station, name in rows]
