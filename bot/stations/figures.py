"""The figures of three minutes (3分钟到场), per station and month: alerts, the time to the
first 出发 and to arrival (median, p90), and the share of fires reached within three minutes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.stations.response import TARGET
from bot.texts import Translator
from bot.texts.shares import percent, share
from bot.timing.periods import Period
from storage.db import Database
from storage.models import Area, AreaLevel, FireResponse, Station

MONTH = "%Y-%m"


@dataclass(frozen=True)
class Timing:
    alerted_at: datetime
    started_at: datetime | None
    arrived_at: datetime | None


@dataclass(frozen=True)
class Figures:
    alerts: int
    start_median_s: float | None
    start_p90_s: float | None
    arrival_median_s: float | None
    arrival_p90_s: float | None
    on_time_share: float | None  # reached within TARGET, of all alerts


@dataclass(frozen=True)
class Monthly:
    """A station's figures of one month (`YYYY-MM`, local time)."""

    station: Station
    month: str
    figures: Figures


def percentile(values: Sequence[float], share: float) -> float | None:
    """The nearest-rank percentile (`share` 0.5: the median of an odd count, the lower middle of
    an even one); None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def summarise(timings: Sequence[Timing], target: timedelta = TARGET) -> Figures:
    """The figures of some fires' responses."""
    starts = [(t.started_at - t.alerted_at).total_seconds() for t in timings if t.started_at]
    arrivals = [(t.arrived_at - t.alerted_at).total_seconds() for t in timings if t.arrived_at]
    on_time = sum(1 for seconds in arrivals if seconds <= target.total_seconds())
    return Figures(
        alerts=len(timings),
        start_median_s=percentile(starts, 0.5),
        start_p90_s=percentile(starts, 0.9),
        arrival_median_s=percentile(arrivals, 0.5),
        arrival_p90_s=percentile(arrivals, 0.9),
        on_time_share=share(on_time, len(timings)),
    )


async def by_station(
    database: Database, since: datetime, until: datetime, community_id: int | None = None
) -> list[tuple[Station, Figures]]:
    """Each station (of one community, or all) with the figures of the fires alerted to it
    first between `since` and `until`."""
    stations, rows = await _load(database, since, until, community_id)
    timings: dict[int, list[Timing]] = {}
    for station_id, timing in rows:
        timings.setdefault(station_id, []).append(timing)
    return [(station, summarise(timings.get(station.id, []))) for station in stations]


async def by_month(
    database: Database, period: Period, community_ids: set[int] | None = None
) -> list[Monthly]:
    """Each station (of the communities, or all) and each month of the period, local time, with
    the figures of the fires alerted to it first in that month of the period."""
    stations, rows = await _load(database, period.start, period.end, None)
    if community_ids is not None:
        stations = [s for s in stations if s.community_id in community_ids]
    timings: dict[tuple[int, str], list[Timing]] = {}
    for station_id, timing in rows:
        month = timing.alerted_at.astimezone(period.tz).strftime(MONTH)
        timings.setdefault((station_id, month), []).append(timing)
    months = sorted({day.strftime(MONTH) for day in period.days})
    return [
        Monthly(station, month, summarise(timings.get((station.id, month), [])))
        for station in stations
        for month in months
    ]


async def _load(
    database: Database, since: datetime, until: datetime, community_id: int | None
) -> tuple[list[Station], list[tuple[int, Timing]]]:
    async with database.sessions() as session:
        query = select(Station)
        if community_id is not None:
            query = query.where(Station.community_id == community_id)
        stations = list((await session.scalars(query.order_by(Station.name))).all())
        rows = (
            await session.execute(
                select(
                    FireResponse.station_id,
                    FireResponse.alerted_at,
                    FireResponse.started_at,
                    FireResponse.arrived_at,
                ).where(FireResponse.alerted_at >= since, FireResponse.alerted_at < until)
            )
        ).all()
    return stations, [(row[0], Timing(row[1], row[2], row[3])) for row in rows]


def community_of(area: Area | None) -> int | None:
    """The community whose stations an area's figures show (None: the whole street's)."""
    if area is not None and area.level == AreaLevel.COMMUNITY:
        return area.id
    if area is not None and area.level == AreaLevel.GRID:
        return area.parent_id
    return None


def seconds_text(t: Translator, seconds: float | None) -> str:
    """Seconds as minutes and seconds (2分05秒), or a dash for none."""
    if seconds is None:
        return "—"
    whole = round(seconds)
    return t("stations.took", minutes=whole // 60, seconds=f"{whole % 60:02d}")


def figures_text(t: Translator, f: Figures) -> str:
    """One station's figures in a line: alerts, 出发 and arrival (median, p90), on time."""
    return t(
        "stations.figures",
        alerts=f.alerts,
        start_median=seconds_text(t, f.start_median_s),
        start_p90=seconds_text(t, f.start_p90_s),
        arrival_median=seconds_text(t, f.arrival_median_s),
        arrival_p90=seconds_text(t, f.arrival_p90_s),
        on_time=percent(t, f.on_time_share),
    )
