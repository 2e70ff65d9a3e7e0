"""Patrol coverage (巡查覆盖率): the share of a grid's area within RADIUS_M of any patrol track.

Tracks are buffered in metres, in a local equirectangular projection around the area (a street
is a few kilometres across: the projection's error is far below a GPS fix's). The projection is
linear, so shares of area come out the same in degrees as in metres."""

from __future__ import annotations

import asyncio
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, tzinfo

import numpy as np
import shapely
from shapely.geometry import LineString, Point, shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select

from bot.duties.figures import month_bounds
from storage.db import Database
from storage.models import Area, AreaLevel, DutyTrackPoint

RADIUS_M = 50.0
METRES_PER_DEGREE = 111_320.0

Path = Sequence[tuple[float, float]]  # (latitude, longitude) points, in walking order
Track = list[tuple[float, float]]


@dataclass(frozen=True)
class Projection:
    """Degrees (longitude, latitude) to metres east and north of an origin, and back."""

    latitude: float
    longitude: float

    @property
    def _scale(self) -> np.ndarray:
        east = METRES_PER_DEGREE * math.cos(math.radians(self.latitude))
        return np.array([east, METRES_PER_DEGREE])

    def to_metres(self, geometry: BaseGeometry) -> BaseGeometry:
        origin = np.array([self.longitude, self.latitude])
        return shapely.transform(geometry, lambda xy: (xy - origin) * self._scale)

    def to_degrees(self, geometry: BaseGeometry) -> BaseGeometry:
        origin = np.array([self.longitude, self.latitude])
        return shapely.transform(geometry, lambda xy: xy / self._scale + origin)


def around(geometry: BaseGeometry) -> Projection:
    centre = geometry.centroid
    return Projection(centre.y, centre.x)


def _line(path: Path) -> BaseGeometry:
    """A track as a GeoJSON-ordered (lon, lat) geometry: a line, or a point when it has one."""
    points = [(lon, lat) for lat, lon in path]
    return Point(points[0]) if len(set(points)) == 1 else LineString(points)


def covered(
    tracks: Iterable[Path], projection: Projection, radius_m: float = RADIUS_M
) -> BaseGeometry:
    """The ground within `radius_m` of any track, in metres of `projection` (empty if none)."""
    lines = [projection.to_metres(_line(path)) for path in tracks if path]
    if not lines:
        return shapely.Polygon()
    return shapely.union_all([line.buffer(radius_m) for line in lines])


def coverage(area: BaseGeometry, tracks: Iterable[Path], radius_m: float = RADIUS_M) -> float:
    """The share (0 to 1) of `area` (a GeoJSON lon/lat geometry) within `radius_m` of a track."""
    if area.is_empty or area.area <= 0:
        return 0.0
    projection = around(area)
    grid = projection.to_metres(area)
    ground = covered(tracks, projection, radius_m)
    return min(1.0, grid.intersection(ground).area / grid.area) if not ground.is_empty else 0.0


def by_area(areas: dict[int, BaseGeometry], tracks: Sequence[Path]) -> dict[int, float]:
    """Each area's coverage by the tracks (CPU-bound for a month of tracks: run it in a thread)."""
    return {area_id: coverage(geometry, tracks) for area_id, geometry in areas.items()}


@dataclass(frozen=True)
class GridCoverage:
    area_id: int
    name: str
    parent_id: int | None
    geometry: BaseGeometry
    share: float
    square_m2: float  # the grid's area


async def grids(
    database: Database, month: date, tz: tzinfo, ids: set[int] | None = None
) -> tuple[list[Track], list[GridCoverage]]:
    """The month's tracks, and the coverage of every grid with a boundary (of `ids` only, when
    given)."""
    query = select(Area).where(Area.level == AreaLevel.GRID, Area.boundary.is_not(None))
    if ids is not None:
        query = query.where(Area.id.in_(sorted(ids)))
    async with database.sessions() as session:
        found = (await session.scalars(query.order_by(Area.id))).all()
    tracks = await month_tracks(database, month, tz)
    shapes = {area.id: shape(area.boundary) for area in found if area.boundary}
    shares = await asyncio.to_thread(by_area, shapes, tracks)
    squares = {key: around(grid).to_metres(grid).area for key, grid in shapes.items()}
    return tracks, [
        GridCoverage(
            area.id, area.name, area.parent_id, shapes[area.id], shares[area.id], squares[area.id]
        )
        for area in found
        if area.id in shapes
    ]


async def month_tracks(database: Database, month: date, tz: tzinfo) -> list[Track]:
    """Every occurrence's track points walked in `month` (the street's time zone)."""
    start, end = month_bounds(month, tz)
    async with database.sessions() as session:
        rows = await session.execute(
            select(DutyTrackPoint.occurrence_id, DutyTrackPoint.latitude, DutyTrackPoint.longitude)
            .where(DutyTrackPoint.at >= start, DutyTrackPoint.at < end)
            .order_by(DutyTrackPoint.occurrence_id, DutyTrackPoint.at, DutyTrackPoint.id)
        )
        tracks: dict[int, Track] = {}
        for occurrence_id, latitude, longitude in rows.all():
            tracks.setdefault(occurrence_id, []).append((latitude, longitude))
    return list(tracks.values())
