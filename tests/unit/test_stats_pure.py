"""The pure parts of the statistics: rates without data, medians, rollup keys, how figures are
written, message splitting, and the order of the red/black list."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from bot.figures import ranking, stats
from bot.figures.indicators import Counts, median
from bot.figures.stats_view import duration
from bot.texts import Catalogue, Translator
from bot.texts.shares import percent
from bot.timing.periods import month_of
from handlers.common.long_text import chunks
from storage.models import Area, AreaLevel

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture(scope="module")
def zh() -> Translator:
    return Catalogue.load().translator("zh")


def test_a_rate_without_a_denominator_is_no_data() -> None:
    nothing = Counts(filed=2, valid=0)
    assert nothing.on_time_rate is None
    assert nothing.closure_rate is None
    assert nothing.on_time_closure_rate is None
    assert nothing.rework_rate is None
    assert nothing.satisfaction is None
    assert nothing.share_rated is None
    some = Counts(valid=4, due=2, on_time=0, closed=1, rated=1, rating_sum=5)
    assert some.on_time_rate == 0
    assert some.closure_rate == 0.25
    assert some.share_rated == 1


def test_counts_add_up_field_by_field() -> None:
    assert Counts(1, 2, 3) + Counts(10, 20, 30, rating_sum=4) == Counts(11, 22, 33, rating_sum=4)


def test_median_like_percentile_cont() -> None:
    assert median([None, 30, 10, 20]) == 20
    assert median([5, 10, 20, 30]) == 15
    assert median([None]) is None


def test_a_grid_counts_in_itself_its_community_its_category_and_the_total() -> None:
    tree = stats.Tree(
        {
            1: Area(id=1, code="S", name="街道", level=AreaLevel.STREET, parent_id=None),
            2: Area(id=2, code="C", name="社区", level=AreaLevel.COMMUNITY, parent_id=1),
            3: Area(id=3, code="C-1", name="网格", level=AreaLevel.GRID, parent_id=2),
        }
    )
    assert sorted(tree.keys(3, 7), key=str) == sorted(
        [("total", None), ("category", 7), ("area", 3), ("area", 2)], key=str
    )
    assert sorted(tree.keys(2, 7), key=str) == sorted(
        [("total", None), ("category", 7), ("area", 2)], key=str
    )
    assert tree.keys(None, None) == [("total", None), ("category", None)]
    assert [a.code for a in tree.shown(None)] == ["C"]
    assert [a.code for a in tree.shown(tree.areas[1])] == ["C"]  # the street named
    assert [a.code for a in tree.shown(tree.areas[2])] == ["C-1"]
    assert [a.code for a in tree.grids(tree.areas[1])] == ["C-1"]
    assert [a.code for a in tree.grids(tree.areas[3])] == ["C-1"]


def test_figures_are_written_short(zh: Translator) -> None:
    assert percent(zh, None) == "—"
    assert percent(zh, 2 / 3) == "67%"
    assert duration(zh, None) == "—"
    assert duration(zh, 119.4) == "119 分钟"
    assert duration(zh, 120) == "2 小时"
    assert duration(zh, 1620) == "27 小时"
    assert duration(zh, 150) == "2.5 小时"
    assert duration(zh, 2 * 24 * 60) == "2 天"


def test_pages_keep_blocks_whole_and_within_the_limit() -> None:
    parts = ["a" * 40, "b" * 40, "c" * 40, "d" * 200]
    pages = chunks(parts, limit=100, separator="\n\n")
    assert pages == ["a" * 40 + "\n\n" + "b" * 40, "c" * 40, "d" * 100]
    assert chunks(["x"], limit=100, separator="\n\n") == ["x"]


def grid(n: int) -> Area:
    return Area(id=n, code=f"G{n}", name=f"第{n}网格", level=AreaLevel.GRID, parent_id=None)


def closed(count: int, on_time: int, ratings: tuple[int, ...] = ()) -> Counts:
    return Counts(
        valid=count,
        closed=count,
        closed_on_time=on_time,
        rated=len(ratings),
        rating_sum=sum(ratings),
    )


def test_ranking_with_few_grids_lists_each_once() -> None:
    grids = [grid(n) for n in range(1, 6)]
    counts = {
        1: closed(2, 1, (5,)),
        2: closed(2, 2, (3,)),  # ties with G4: 100 %, 3.0
        3: closed(1, 0, (1,)),
        4: closed(1, 1, (3,)),
        5: Counts(filed=1),  # only rejected or duplicate cases: not ranked
    }
    listed = ranking.order(month_of(2026, 10, TZ), grids, counts, min_valid=1)
    assert [(s.rank, s.area.code) for s in listed.red] == [(1, "G2"), (1, "G4"), (3, "G1")]
    assert [(s.rank, s.area.code) for s in listed.black] == [(4, "G3")]
    assert [a.code for a in listed.too_few] == ["G5"]


def test_grids_with_too_few_valid_cases_are_listed_apart() -> None:
    grids = [grid(n) for n in range(1, 4)]
    counts = {1: closed(2, 2, (5,)), 2: closed(1, 1, (5,)), 3: closed(3, 1)}
    listed = ranking.order(month_of(2026, 10, TZ), grids, counts)  # at least 2 valid cases
    assert [s.area.code for s in listed.red] == ["G1", "G3"]
    assert [a.code for a in listed.too_few] == ["G2"]  # one case is 100 %: not a fair rank
    assert listed.min_valid == ranking.MIN_VALID_CASES == 2


def test_satisfaction_breaks_a_tie_and_none_is_last() -> None:
    grids = [grid(n) for n in range(1, 4)]
    counts = {1: closed(1, 1), 2: closed(1, 1, (2,)), 3: closed(1, 1, (4,))}
    listed = ranking.order(month_of(2026, 10, TZ), grids, counts, min_valid=1)
    assert [s.area.code for s in listed.red] == ["G3", "G2", "G1"]
