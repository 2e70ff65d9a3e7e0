"""Distances and which area a point lies in."""

from __future__ import annotations

import pytest

from bot.places.geo import AreaIndex, degrees_around, distance_m


def square(lat: float, lon: float, size: float) -> dict:
    ring = [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
    return {"type": "Polygon", "coordinates": [ring]}


def test_distances() -> None:
    assert distance_m(30.0, 104.0, 30.0, 104.0) == 0
    assert distance_m(30.0, 104.0, 30.001, 104.0) == pytest.approx(111.2, rel=0.01)
    assert distance_m(0, 0, 0, 1) == pytest.approx(111_195, rel=0.001)


def test_a_box_around_a_point_holds_the_radius() -> None:
    dlat, dlon = degrees_around(30.0, 50)
    assert distance_m(30, 104, 30 + dlat, 104) == pytest.approx(50, rel=0.01)
    assert distance_m(30, 104, 30, 104 + dlon) == pytest.approx(50, rel=0.01)


def test_grids_before_communities_and_nothing_outside() -> None:
    index = AreaIndex(
        [
            (1, "community", None, square(30.0, 104.0, 0.02)),
            (2, "grid", 1, square(30.0, 104.0, 0.01)),
            (3, "community", None, None),  # no boundary: not searchable
        ]
    )
    located = index.locate(30.005, 104.005)
    assert located is not None
    assert (located.area_id, located.level, located.parent_id) == (2, "grid", 1)
    in_community = index.locate(30.015, 104.015)
    assert in_community is not None
    assert in_community.area_id == 1
    assert index.locate(10.0, 10.0) is None
    assert AreaIndex([]).empty
    assert AreaIndex([]).locate(30, 104) is None


def test_a_point_just_outside_goes_to_the_nearest_grid_within_tolerance() -> None:
    index = AreaIndex(
        [(2, "grid", 1, square(30.0, 104.0, 0.01)), (5, "grid", 1, square(30.0, 104.02, 0.01))]
    )
    just_west = (30.005, 104.0 - 0.0005)  # about 48 m west of grid 2
    assert index.locate(*just_west) is None
    located = index.locate(*just_west, tolerance_m=100)
    assert located is not None
    assert located.area_id == 2
    assert index.locate(*just_west, tolerance_m=40) is None
    between = (30.005, 104.0104)  # 0.0004° east of grid 2, 0.0096° west of grid 5
    nearest = index.locate(*between, tolerance_m=100)
    assert nearest is not None
    assert nearest.area_id == 2
    on_boundary = index.locate(30.005, 104.01)
    assert on_boundary is not None
    assert on_boundary.area_id == 2
    assert index.locate(30.5, 105.0, tolerance_m=100) is None
