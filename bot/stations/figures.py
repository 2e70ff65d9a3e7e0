"""The figures of three minutes (3分钟到场), per station and month: alerts, the time to the
first 出发 and to arrival (median, p90), and the share of fires reached within three minutes."""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select

from bot.stations.response import TARGET
from storage.db import Database
from storage.models import FireResponse, Station


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
        on_time_share=on_time / len(timings) if timings else None,
    )


async def by_station(
    database: Database, since: datetime, until: datetime, community_id: int | None = None
) -> list[tuple[Station, Figures]]:
    """Each station (of one community, or all) with the figures of the fires alerted to it
    first between `since` and `until`."""
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
    timings: dict[int, list[Timing]] = {}
    for station_id, alerted, started, arrived in rows:
        timings.setdefault(station_id, []).append(Timing(alerted, started, arrived))
    return [(station, summarise(timings.get(station.id, []))) for station in stations]
