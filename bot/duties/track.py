"""Patrol tracks: while a person is doing an occurrence they started, each live location update
they share (the first message and its edits) becomes a point of its track. The track is
bounded: a point within a few metres or seconds of the previous one adds nothing, and an
occurrence keeps at most MAX_POINTS."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from itertools import pairwise

from sqlalchemy import func, select

from bot.duties.people import may_do
from bot.people import groups
from bot.places.geo import distance_m, valid_point
from storage.db import Database
from storage.models import Duty, DutyOccurrence, DutyTrackPoint, Person
from storage.types import utcnow

MIN_METRES = 5.0  # GPS jitter of a person standing still
MIN_SECONDS = 5.0
MAX_POINTS = 2000  # a long day's walk at one point every 15 s
LEAST_POINTS = 2  # a track that says where one walked: two points at least


@dataclass(frozen=True)
class Track:
    points: int
    metres: float
    seconds: float

    @property
    def walked(self) -> bool:
        return self.points >= LEAST_POINTS


def length_m(points: Sequence[tuple[float, float]]) -> float:
    """The length in metres of a path of (latitude, longitude) points."""
    return sum(distance_m(*a, *b) for a, b in pairwise(points))


async def doing_now(database: Database, person: Person) -> int | None:
    """The occurrence the person started and has not finished (the latest started), if any
    they may still do."""
    async with database.sessions() as session:
        rows = (
            await session.execute(
                select(DutyOccurrence.id, Duty)
                .join(Duty, Duty.id == DutyOccurrence.duty_id)
                .where(
                    DutyOccurrence.started_by_id == person.id,
                    DutyOccurrence.done_at.is_(None),
                )
                .order_by(DutyOccurrence.started_at.desc(), DutyOccurrence.id.desc())
            )
        ).all()
    group_id = await groups.group_of(database, person)  # a volunteer's residents' group
    return next((occurrence for occurrence, duty in rows if may_do(person, duty, group_id)), None)


async def record(
    database: Database,
    person: Person,
    latitude: float,
    longitude: float,
    at: datetime | None = None,
) -> int | None:
    """Add a point, taken at `at` (now by default; in chat, Telegram's date of the location),
    to the track of the occurrence the person is doing; returns that occurrence's id (the point
    may have been left out as too close or one too many), or None when they are doing none."""
    occurrence_id = await doing_now(database, person)
    if occurrence_id is None:
        return None
    at = _aware(at) if at is not None else utcnow()
    if not valid_point(latitude, longitude):
        return occurrence_id
    async with database.transaction() as session:
        count = await session.scalar(
            select(func.count())
            .select_from(DutyTrackPoint)
            .where(DutyTrackPoint.occurrence_id == occurrence_id)
        )
        last = await session.scalar(
            select(DutyTrackPoint)
            .where(DutyTrackPoint.occurrence_id == occurrence_id)
            .order_by(DutyTrackPoint.at.desc(), DutyTrackPoint.id.desc())
            .limit(1)
        )
        if int(count or 0) >= MAX_POINTS or (last and _too_close(last, latitude, longitude, at)):
            return occurrence_id
        session.add(
            DutyTrackPoint(
                occurrence_id=occurrence_id,
                person_id=person.id,
                latitude=latitude,
                longitude=longitude,
                at=at,
            )
        )
    return occurrence_id


def _aware(at: datetime) -> datetime:
    """A date from outside, in UTC (a naive one is taken as UTC)."""
    return at.replace(tzinfo=UTC) if at.tzinfo is None else at.astimezone(UTC)


def _too_close(last: DutyTrackPoint, latitude: float, longitude: float, at: datetime) -> bool:
    metres = distance_m(last.latitude, last.longitude, latitude, longitude)
    return metres < MIN_METRES or (at - last.at).total_seconds() < MIN_SECONDS


async def points(database: Database, occurrence_id: int) -> list[tuple[float, float, datetime]]:
    """The track's points in the order they were walked: (latitude, longitude, at)."""
    async with database.sessions() as session:
        rows = await session.execute(
            select(DutyTrackPoint.latitude, DutyTrackPoint.longitude, DutyTrackPoint.at)
            .where(DutyTrackPoint.occurrence_id == occurrence_id)
            .order_by(DutyTrackPoint.at, DutyTrackPoint.id)
        )
        return [(lat, lon, at) for lat, lon, at in rows.all()]


async def of(database: Database, occurrence_id: int) -> Track:
    """The occurrence's track: how many points, how long and for how long."""
    found = await points(database, occurrence_id)
    if not found:
        return Track(0, 0.0, 0.0)
    metres = length_m([(lat, lon) for lat, lon, _ in found])
    return Track(len(found), metres, (found[-1][2] - found[0][2]).total_seconds())
