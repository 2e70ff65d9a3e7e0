"""The /stats chart: cases per day by category (stacked bars) and the on-time closure rate of
each grid (horizontal bars; "—" for a grid without valid cases), as one PNG.

Drawing is CPU-bound and synchronous: callers run `render` in a thread. Each call draws on a
fresh `Figure`, never on pyplot's global state, so threads do not share a figure.
"""

from __future__ import annotations

import io
from typing import TYPE_CHECKING

from bot.figures.stats_view import View, category_name
from bot.people.scope import area_name
from bot.texts import Translator

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH_IN = 10
DPI = 100
GRID_ROW_IN = 0.32


def render(t: Translator, view: View) -> bytes:
    """The PNG of the view, labelled in the reader's language."""
    from matplotlib.figure import Figure  # loaded on first use: it is big (~60 MB of RSS)

    from bot.figures.fonts import use_cjk_font

    use_cjk_font()
    grids = view.tree.grids(view.scope)
    grid_height = max(2.5, GRID_ROW_IN * len(grids) + 1.2)
    figure = Figure(figsize=(WIDTH_IN, 4 + grid_height), dpi=DPI, layout="constrained")
    daily_axes, grid_axes = figure.subplots(2, 1, height_ratios=[4, grid_height])
    figure.suptitle(t("chart.title", period=view.period.label, scope=area_name(t, view.scope)))
    _daily(t, daily_axes, view)
    _grids(t, grid_axes, view)
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def _daily(t: Translator, axes: Axes, view: View) -> None:
    days = view.period.days
    positions = list(range(len(days)))
    bottom = [0] * len(days)
    present = {category for counts in view.daily.values() for category in counts}
    ordered = [c.id for c in view.categories if c.id in present]
    ordered += [c for c in present if c not in ordered]
    for category_id in ordered:
        heights = [view.daily.get(day, {}).get(category_id, 0) for day in days]
        label = category_name(t, view.categories, category_id)
        axes.bar(positions, heights, bottom=bottom, label=label)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    step = max(1, len(days) // 15)
    axes.set_xticks(positions[::step], [day.strftime("%m-%d") for day in days[::step]])
    axes.set_title(t("chart.daily_title"))
    axes.set_ylabel(t("chart.cases_axis"))
    axes.yaxis.get_major_locator().set_params(integer=True)
    if ordered:  # beside the bars, never over them
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")


def _grids(t: Translator, axes: Axes, view: View) -> None:
    grids = view.tree.grids(view.scope)
    rates = []
    for grid in grids:
        figures = view.report.by_area.get(grid.id)
        rates.append(figures.counts.on_time_closure_rate if figures else None)
    positions = list(range(len(grids)))
    axes.barh(positions, [100 * (rate or 0) for rate in rates], color="#c0392b")
    axes.set_yticks(positions, [grid.name for grid in grids])
    axes.invert_yaxis()  # the first grid on top
    axes.set_xlim(0, 110)
    for position, rate in zip(positions, rates, strict=True):
        label = t("stats.no_data") if rate is None else f"{rate:.0%}"
        axes.text((rate or 0) * 100 + 1, position, label, va="center", fontsize="small")
    axes.set_title(t("chart.grids_title"))
    axes.set_xlabel(t("chart.rate_axis"))
