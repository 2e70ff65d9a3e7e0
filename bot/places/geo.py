"""Where things are: distances, and which grid or community a point lies in."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from shapely import STRtree
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry
from shapely.ops import nearest_points

EARTH_RADIUS_M = 6_371_008.8


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(math.sqrt(a))


def degrees_around(latitude: float, metres: float) -> tuple[float, float]:
    """Half-sizes (lat, lon) in degrees of a box `metres` around a point at `latitude`."""
    dlat = metres / 111_320
    dlon = metres / max(1e-9, 111_320 * math.cos(math.radians(latitude)))
    return dlat, dlon


@dataclass(frozen=True)
class AreaShape:
    area_id: int
    level: str
    parent_id: int | None
    geometry: BaseGeometry


def valid_point(latitude: float, longitude: float) -> bool:
    """Whether a latitude and longitude name a point on Earth (a client can send anything)."""
    return (
        math.isfinite(latitude)
        and math.isfinite(longitude)
        and -90 <= latitude <= 90
        and -180 <= longitude <= 180
    )


@dataclass(frozen=True)
class Located:
    area_id: int
    level: str
    parent_id: int | None


class AreaIndex:
    """Grids and communities with boundaries, searchable by point (GeoJSON is lon, lat)."""

    def __init__(self, areas: Iterable[tuple[int, str, int | None, dict[str, Any]]]) -> None:
        self.shapes = [
            AreaShape(area_id, level, parent, shape(boundary))
            for area_id, level, parent, boundary in areas
            if boundary
        ]
        self.tree = STRtree([s.geometry for s in self.shapes]) if self.shapes else None

    @property
    def empty(self) -> bool:
        return not self.shapes

    def locate(self, latitude: float, longitude: float, tolerance_m: float = 0) -> Located | None:
        """The grid containing the point, else the community, else the nearest grid within
        `tolerance_m` metres (a point just across a boundary), else None."""
        if self.tree is None:
            return None
        point = Point(longitude, latitude)
        hits = [self.shapes[i] for i in self.tree.query(point, predicate="intersects")]
        for level in ("grid", "community"):
            for hit in hits:
                if hit.level == level:
                    return Located(hit.area_id, hit.level, hit.parent_id)
        return self._nearest_grid(point, tolerance_m) if tolerance_m > 0 else None

    def _nearest_grid(self, point: Point, tolerance_m: float) -> Located | None:
        assert self.tree is not None
        dlat, dlon = degrees_around(point.y, tolerance_m)
        near = self.tree.query(point.buffer(max(dlat, dlon)))
        best: tuple[float, AreaShape] | None = None
        for index in near:
            candidate = self.shapes[index]
            if candidate.level != "grid":
                continue
            closest = nearest_points(candidate.geometry, point)[0]
            metres = distance_m(point.y, point.x, closest.y, closest.x)
            if metres <= tolerance_m and (best is None or metres < best[0]):
                best = (metres, candidate)
        if best is None:
            return None
        return Located(best[1].area_id, best[1].level, best[1].parent_id)
