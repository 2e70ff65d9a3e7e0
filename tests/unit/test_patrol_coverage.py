"""Patrol coverage: the share of a grid within 50 m of a track, buffered in metres, and a
track's length."""

from __future__ import annotations

import math

import pytest
from shapely.geometry import box

from bot.duties.coverage import METRES_PER_DEGREE, Projection, by_area, coverage
from bot.duties.track import length_m

LAT, LON = 30.25, 120.16  # a street in Hangzhou
DLAT = 1 / METRES_PER_DEGREE  # a metre north
DLON = 1 / (METRES_PER_DEGREE * math.cos(math.radians(LAT)))  # a metre east (at LAT)


def grid(east_m: float = 200, north_m: float = 200):
    """A grid `east_m` × `north_m` metres, its south-west corner at (LAT, LON)."""
    return box(LON, LAT, LON + east_m * DLON, LAT + north_m * DLAT)


def at(east_m: float, north_m: float) -> tuple[float, float]:
    """The point `east_m` east and `north_m` north of the grid's corner, as (lat, lon)."""
    return LAT + north_m * DLAT, LON + east_m * DLON


def test_a_walk_through_the_middle_covers_a_100_m_band() -> None:
    walk = [at(-20, 100), at(220, 100)]  # west to east across a 200 m grid
    assert coverage(grid(), [walk]) == pytest.approx(0.5, abs=0.005)


def test_the_share_is_measured_in_metres_not_degrees() -> None:
    # A grid 400 m east by 100 m north: a walk along its middle covers all of it; in degrees
    # the band would be wrong by the cosine of the latitude.
    walk = [at(-20, 50), at(420, 50)]
    assert coverage(grid(400, 100), [walk]) == pytest.approx(1.0, abs=0.005)
    north_south = [at(200, -20), at(200, 120)]  # across the short side: 100 m of 400
    assert coverage(grid(400, 100), [north_south]) == pytest.approx(0.25, abs=0.005)


def test_a_single_point_covers_a_disc_of_50_m() -> None:
    disc = math.pi * 50**2 / 200**2
    assert coverage(grid(), [[at(100, 100)]]) == pytest.approx(disc, rel=0.01)
    assert coverage(grid(), [[at(100, 100), at(100, 100)]]) == pytest.approx(disc, rel=0.01)


def test_overlapping_tracks_count_once_and_the_share_stops_at_one() -> None:
    walk = [at(-20, 100), at(220, 100)]
    assert coverage(grid(), [walk, walk, list(reversed(walk))]) == pytest.approx(0.5, abs=0.005)
    rows = [[at(-20, north), at(220, north)] for north in (20, 80, 140, 190)]
    assert coverage(grid(), rows) == pytest.approx(1.0)


def test_no_tracks_or_far_ones_cover_nothing() -> None:
    assert coverage(grid(), []) == 0.0
    assert coverage(grid(), [[]]) == 0.0
    assert coverage(grid(), [[at(1000, 1000), at(1100, 1000)]]) == 0.0
    assert coverage(box(LON, LAT, LON, LAT), [[at(0, 0)]]) == 0.0  # no area


def test_by_area_gives_each_grid_its_own_share() -> None:
    west, east = grid(), box(LON + 200 * DLON, LAT, LON + 400 * DLON, LAT + 200 * DLAT)
    walk = [at(-20, 100), at(180, 100)]  # ends 20 m before the eastern grid: its cap reaches in
    shares = by_area({1: west, 2: east}, [walk])
    assert shares[1] == pytest.approx(0.5, abs=0.01)
    assert 0 < shares[2] < 0.05


def test_the_projection_goes_back_to_degrees() -> None:
    projection = Projection(LAT, LON)
    square = grid()
    metres = projection.to_metres(square)
    assert metres.area == pytest.approx(200 * 200, rel=1e-6)
    assert projection.to_degrees(metres).equals_exact(square, 1e-9)


def test_a_tracks_length_follows_its_points() -> None:
    assert length_m([]) == 0
    assert length_m([at(0, 0)]) == 0
    assert length_m([at(0, 0), at(300, 0), at(300, 400)]) == pytest.approx(700, rel=0.005)
