"""Which station a fire goes to, and which back it up: plain rules on points."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol, TypeVar

from bot.places.geo import distance_m

BACKUPS = 2  # the nearest other stations back a station up (联勤联动)


class Placed(Protocol):
    id: int
    community_id: int
    latitude: float
    longitude: float


def _away(station: Placed, latitude: float | None, longitude: float | None) -> float:
    if latitude is None or longitude is None:
        return 0.0  # no point to measure from: every station is as near
    return distance_m(latitude, longitude, station.latitude, station.longitude)


S = TypeVar("S", bound=Placed)


def nearest(
    stations: Sequence[S],
    community_id: int | None,
    latitude: float | None,
    longitude: float | None,
) -> S | None:
    """The nearest station of the community, else the nearest of all (None: no station can be
    told: none exists, or the fire has neither a community with one nor a point)."""
    own = [s for s in stations if s.community_id == community_id]
    if not own and (latitude is None or longitude is None):
        return None
    pool = own or list(stations)
    return min(pool, key=lambda s: (_away(s, latitude, longitude), s.id), default=None)


def backups(stations: Sequence[S], primary: S, count: int = BACKUPS) -> list[S]:
    """The `count` stations nearest to `primary` (its own excluded)."""
    others = [s for s in stations if s.id != primary.id]
    others.sort(key=lambda s: (_away(s, primary.latitude, primary.longitude), s.id))
    return others[:count]
