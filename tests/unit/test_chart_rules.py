"""The rules of the pictures: one colour per category whichever chart draws it, grid bars best
first with grids not judged yet last and shown "—" (never 0 %), an average that such grids do
not pull down, and a map whose every grid is named above the case dots."""

from __future__ import annotations

import io
from datetime import date
from zoneinfo import ZoneInfo

from PIL import Image
from shapely.geometry import box

from bot.figures import charts, maps, stats
from bot.figures.charts import GridBar, judged_average, judged_rate, sorted_bars
from bot.figures.colours import NO_CATEGORY, OVERDUE, PALETTE, category_colour
from bot.figures.indicators import Counts, Figures
from bot.figures.stats_view import View
from bot.texts import Catalogue
from bot.timing.periods import Period
from storage.models import Area, AreaLevel, Category

ZH = Catalogue.load().translator("zh")
DAY = date(2026, 10, 5)


def test_a_category_has_one_colour_by_its_id() -> None:
    assert len({category_colour(n) for n in range(1, len(PALETTE) + 1)}) == len(PALETTE)
    assert category_colour(3) == category_colour(3) == PALETTE[2]
    assert category_colour(None) == NO_CATEGORY
    assert OVERDUE not in PALETTE  # red marks overdue cases on the map
    assert NO_CATEGORY not in PALETTE


def test_a_grid_whose_cases_are_not_due_yet_is_not_judged() -> None:
    waiting = Counts(filed=3, valid=3, due=0)
    assert waiting.on_time_closure_rate == 0  # the indicator says 0 %: the chart says "—"
    assert judged_rate(waiting) is None
    assert judged_rate(None) is None
    assert judged_rate(Counts(filed=4, valid=4, due=2, closed=1, closed_on_time=1)) == 0.25


def test_bars_best_first_and_not_judged_last() -> None:
    bars = [GridBar("乙", 0.5), GridBar("丙", None), GridBar("甲", 0.9), GridBar("丁", 0.5)]
    assert [bar.name for bar in sorted_bars(bars)] == ["甲", "丁", "乙", "丙"]


def test_the_average_leaves_out_grids_not_judged() -> None:
    judged = Counts(filed=2, valid=2, due=2, closed=2, closed_on_time=2)
    waiting = Counts(filed=5, valid=5, due=0)
    assert judged_average([judged, waiting, None]) == 1.0
    assert judged_average([waiting, None]) is None


def _category(n: int, code: str) -> Category:
    return Category(id=n, code=code, name_zh=code, name_en=code, sort_order=n)


def _view(daily: stats.Daily) -> View:
    street = Area(id=1, code="ST", name="街道", level=AreaLevel.STREET)
    grid = Area(id=2, code="G", name="网格", level=AreaLevel.GRID, parent_id=1)
    counts = Counts(filed=1, valid=1)
    report = stats.Report(Figures(counts), {2: Figures(counts)}, {})
    period = Period(DAY, DAY, ZoneInfo("Asia/Shanghai"))
    categories = [_category(1, "fire"), _category(2, "dog"), _category(3, "sanitation")]
    return View(period, None, stats.Tree({1: street, 2: grid}), report, daily, categories)


def _colours(png: bytes) -> set[str]:
    found = Image.open(io.BytesIO(png)).convert("RGB").getcolors(maxcolors=1 << 22) or []
    return {"#{:02x}{:02x}{:02x}".format(*colour) for _, colour in found}


def test_a_category_keeps_its_colour_whatever_else_the_chart_holds() -> None:
    alone = _colours(charts.render(ZH, _view({DAY: {3: 2}})))
    with_others = _colours(charts.render(ZH, _view({DAY: {1: 1, 2: 1, 3: 2}})))
    assert category_colour(3) in alone
    assert category_colour(3) in with_others
    assert category_colour(1) not in alone  # the first colour is fire's, not the first drawn


def test_the_map_names_every_grid_above_the_dots() -> None:
    outlines = [
        maps.Outline("街道", AreaLevel.STREET, box(0, 0, 2, 1)),
        maps.Outline("幸福社区", AreaLevel.COMMUNITY, box(0, 0, 2, 1)),
        maps.Outline("幸福社区第一网格", AreaLevel.GRID, box(0, 0, 1, 1)),
        maps.Outline("幸福社区第二网格", AreaLevel.GRID, box(1, 0, 2, 1)),
    ]
    assert [label.text for label in maps.labels(outlines)] == ["幸福社区", "第一网格", "第二网格"]
    dots = [maps.Dot(label.y, label.x, 1, True) for label in maps.labels(outlines)]
    figure = maps.draw(maps.CaseMap(outlines, dots, {1: "犬只问题"}), ZH, "地图")
    [axes] = figure.axes
    dot_layers = max(collection.get_zorder() for collection in axes.collections)
    names = [text for text in axes.texts if text.get_text() in {"第一网格", "第二网格"}]
    assert len(names) == 2
    assert all(text.get_zorder() > dot_layers for text in names)
    assert all(text.get_bbox_patch() is not None for text in names)  # a white box as halo


def test_a_grid_alone_keeps_its_whole_name() -> None:
    alone = [maps.Outline("幸福社区第一网格", AreaLevel.GRID, box(0, 0, 1, 1))]
    assert [label.text for label in maps.labels(alone)] == ["幸福社区第一网格"]
    assert maps.short_name("第一网格", ["幸福社区"]) == "第一网格"
    assert maps.short_name("幸福社区", ["幸福社区"]) == "幸福社区"  # nothing would be left
