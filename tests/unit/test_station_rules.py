"""Which station a fire goes to and which back it up; the figures of three minutes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.stations.figures import Timing, percentile, summarise
from bot.stations.nearest import backups, nearest


@dataclass(frozen=True)
class S:
    id: int
    community_id: int
    latitude: float
    longitude: float


OWN_FAR = S(1, 10, 30.60, 104.000)  # the community's, but across it
OWN_NEAR = S(2, 10, 30.60, 104.004)
NEIGHBOUR = S(3, 20, 30.60, 104.0061)  # nearer than any of the community's own
FAR = S(4, 30, 30.60, 104.05)
ALL = [OWN_FAR, OWN_NEAR, NEIGHBOUR, FAR]


def test_the_community_station_nearest_to_the_fire() -> None:
    assert nearest(ALL, 10, 30.60, 104.0060) == OWN_NEAR  # a neighbour nearer does not win


def test_no_station_of_the_community_the_nearest_of_all() -> None:
    assert nearest(ALL, 99, 30.60, 104.045) == FAR


def test_no_point_the_community_station_else_none() -> None:
    assert nearest(ALL, 20, None, None) == NEIGHBOUR
    assert nearest(ALL, 99, None, None) is None
    assert nearest([], 10, 30.6, 104.0) is None


def test_backups_are_the_nearest_other_stations() -> None:
    assert backups(ALL, OWN_NEAR) == [NEIGHBOUR, OWN_FAR]
    assert backups([OWN_NEAR], OWN_NEAR) == []


T0 = datetime(2026, 12, 1, 8, tzinfo=UTC)


def fire(start_s: float | None, arrive_s: float | None) -> Timing:
    def at(seconds: float | None) -> datetime | None:
        return None if seconds is None else T0 + timedelta(seconds=seconds)

    return Timing(T0, at(start_s), at(arrive_s))


def test_percentiles_by_nearest_rank() -> None:
    assert percentile([], 0.5) is None
    assert percentile([5], 0.9) == 5
    assert percentile([4, 1, 3, 2], 0.5) == 2
    assert percentile(list(range(1, 11)), 0.9) == 9
    assert percentile(list(range(1, 11)), 0.5) == 5


def test_figures_of_a_month() -> None:
    fires = [fire(20, 150), fire(40, 180), fire(70, 200), fire(None, None)]
    figures = summarise(fires)
    assert figures.alerts == 4
    assert figures.start_median_s == 40
    assert figures.start_p90_s == 70
    assert figures.arrival_median_s == 180
    assert figures.arrival_p90_s == 200
    assert figures.on_time_share == 0.5  # 150 s and exactly 180 s, of four alerts


def test_no_fire_no_figures() -> None:
    figures = summarise([])
    assert figures.alerts == 0
    assert figures.start_median_s is None
    assert figures.on_time_share is None
