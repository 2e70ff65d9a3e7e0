"""Members answer an alert: 出发 (on my way), then their location on arrival, within ON_SITE_M
of the fire counts as on site. The first of each is kept once per fire and the resident is told;
the case card shows the timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import select, update

from bot.errors import PoliteError
from bot.places.geo import distance_m, valid_point
from bot.texts import Translator
from storage.db import Database
from storage.models import Case, FireResponse, Person, Station, StationAlert, StationMember
from storage.types import utcnow

ON_SITE_M = 100.0
TARGET = timedelta(minutes=3)  # 3分钟到场处置


@dataclass(frozen=True)
class Answered:
    """What a press of 出发 or a shared location did; `first` for the fire: the resident is told."""

    response: FireResponse
    case: Case
    first: bool
    distance_m: float | None = None

    @property
    def on_site(self) -> bool:
        return self.distance_m is not None and self.distance_m <= ON_SITE_M


async def _alerted_member(database: Database, response_id: int, person: Person) -> bool:
    """Whether the person is a member of a station alerted to the response."""
    async with database.sessions() as session:
        found = await session.scalar(
            select(StationAlert.id)
            .join(StationMember, StationMember.station_id == StationAlert.station_id)
            .where(
                StationAlert.response_id == response_id,
                StationMember.person_id == person.id,
            )
            .limit(1)
        )
    return found is not None and not person.banned


async def set_off(
    database: Database, response_id: int, person: Person, now: datetime | None = None
) -> Answered:
    """出发: only a member of a station alerted to this fire may press it."""
    if not await _alerted_member(database, response_id, person):
        raise PoliteError("error.not_allowed")
    now = now or utcnow()
    async with database.transaction() as session:
        result = await session.execute(
            update(FireResponse)
            .where(FireResponse.id == response_id, FireResponse.started_at.is_(None))
            .values(started_at=now, started_by_id=person.id)
        )
        response = await session.get_one(FireResponse, response_id, populate_existing=True)
        case = await session.get_one(Case, response.case_id)
    return Answered(response, case, bool(result.rowcount))  # type: ignore[attr-defined]


async def arrive(
    database: Database,
    response_id: int,
    person: Person,
    latitude: float,
    longitude: float,
    now: datetime | None = None,
) -> Answered:
    """A member's location: within ON_SITE_M of the fire, the fire is reached (once)."""
    if not await _alerted_member(database, response_id, person):
        raise PoliteError("error.not_allowed")
    async with database.sessions() as session:
        response = await session.get_one(FireResponse, response_id)
        case = await session.get_one(Case, response.case_id)
    if case.latitude is None or case.longitude is None or not valid_point(latitude, longitude):
        return Answered(response, case, first=False)
    away = distance_m(latitude, longitude, case.latitude, case.longitude)
    if away > ON_SITE_M:
        return Answered(response, case, first=False, distance_m=away)
    now = now or utcnow()
    async with database.transaction() as session:
        result = await session.execute(
            update(FireResponse)
            .where(FireResponse.id == response_id, FireResponse.arrived_at.is_(None))
            .values(arrived_at=now, arrived_by_id=person.id, arrival_m=away)
        )
        response = await session.get_one(FireResponse, response_id, populate_existing=True)
    return Answered(response, case, bool(result.rowcount), away)  # type: ignore[attr-defined]


def nobody_on_duty(response: FireResponse) -> bool:
    """Whether the station had nobody on duty when alerted (its backups were called at once)."""
    return response.escalate_at <= response.alerted_at


def took(since: datetime, until: datetime, t: Translator) -> str:
    """A duration as minutes and seconds, e.g. 2分05秒."""
    seconds = max(0, round((until - since).total_seconds()))
    return t("stations.took", minutes=seconds // 60, seconds=f"{seconds % 60:02d}")


async def timeline(database: Database, case_id: int, t: Translator, tz: tzinfo) -> list[str]:
    """The fire's response as lines for the case card (none: no station was alerted)."""
    async with database.sessions() as session:
        response = await session.scalar(select(FireResponse).where(FireResponse.case_id == case_id))
        if response is None:
            return []
        station = await session.get_one(Station, response.station_id)
        starter = await session.get(Person, response.started_by_id or 0)
        arriver = await session.get(Person, response.arrived_by_id or 0)

    def at(moment: datetime) -> str:
        return moment.astimezone(tz).strftime("%H:%M:%S")

    lines = [t("stations.line_alerted", station=station.name, at=at(response.alerted_at))]
    if response.escalated_at is not None:
        key = "stations.line_nobody" if nobody_on_duty(response) else "stations.line_escalated"
        lines.append(t(key, at=at(response.escalated_at)))
    if response.started_at is not None:
        lines.append(
            t(
                "stations.line_started",
                name=_name(starter),
                at=at(response.started_at),
                took=took(response.alerted_at, response.started_at, t),
            )
        )
    if response.arrived_at is not None:
        lines.append(
            t(
                "stations.line_arrived",
                name=_name(arriver),
                at=at(response.arrived_at),
                took=took(response.alerted_at, response.arrived_at, t),
                metres=round(response.arrival_m or 0),
            )
        )
    return [t("stations.line_title"), *lines]


def _name(person: Person | None) -> str:
    if person is None:
        return "—"
    return person.name or str(person.tg_id)
