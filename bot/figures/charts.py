"""The /stats chart: cases per day by category (stacked bars, each category in its own colour,
the same as on the map) and the on-time closure rate of each grid (horizontal bars, best first,
with the scope's average as a line; "—" and a hatched empty bar for a grid with no case due
yet, never 0 %), as one PNG.

Drawing is CPU-bound and synchronous: callers run `render` in a thread. Each call draws on a
fresh `Figure`, never on pyplot's global state, so threads do not share a figure.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.figures.colours import category_colour
from bot.figures.indicators import Counts
from bot.figures.stats_view import View, category_name
from bot.people.scope import area_name
from bot.texts import Translator

if TYPE_CHECKING:
    from matplotlib.axes import Axes

WIDTH_IN = 10
DPI = 100
GRID_ROW_IN = 0.32
BAR_COLOUR = "#c0392b"
AVERAGE_COLOUR = "#34495e"
NOT_DUE_COLOUR = "#b0b0b0"
NOT_DUE_BOX = {"boxstyle": "round,pad=0.2", "facecolor": "white", "edgecolor": "none"}


@dataclass(frozen=True)
class GridBar:
    name: str
    rate: float | None  # None: no case of the grid is due yet ("—")


def judged_rate(counts: Counts | None) -> float | None:
    """The on-time closure rate, or None while no case is due yet: a grid whose cases all
    still have time has not failed them (0 %), it has not been judged."""
    if counts is None or counts.due == 0:
        return None
    return counts.on_time_closure_rate


def judged_average(grids: list[Counts | None]) -> float | None:
    """The rate of the grids judged so far taken together (the line across the bars): the
    cases of a grid shown as "—" do not pull it down."""
    judged = [counts for counts in grids if counts is not None and judged_rate(counts) is not None]
    return judged_rate(sum(judged, Counts())) if judged else None


def sorted_bars(bars: list[GridBar]) -> list[GridBar]:
    """Best rate first, ties by name; grids not judged yet ("—") last."""
    return sorted(bars, key=lambda bar: (bar.rate is None, -(bar.rate or 0), bar.name))


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
        colour = category_colour(category_id)
        axes.bar(positions, heights, bottom=bottom, label=label, color=colour)
        bottom = [b + h for b, h in zip(bottom, heights, strict=True)]
    step = max(1, len(days) // 15)
    axes.set_xticks(positions[::step], [day.strftime("%m-%d") for day in days[::step]])
    axes.set_title(t("chart.daily_title"))
    axes.set_ylabel(t("chart.cases_axis"))
    axes.yaxis.get_major_locator().set_params(integer=True)
    if ordered:  # beside the bars, never over them
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")


def _grid_counts(view: View) -> list[tuple[str, Counts | None]]:
    found = []
    for grid in view.tree.grids(view.scope):
        figures = view.report.by_area.get(grid.id)
        found.append((grid.name, figures.counts if figures else None))
    return found


def _grids(t: Translator, axes: Axes, view: View) -> None:
    grids = _grid_counts(view)
    bars = sorted_bars([GridBar(name, judged_rate(counts)) for name, counts in grids])
    positions = list(range(len(bars)))
    judged = [(p, bar) for p, bar in zip(positions, bars, strict=True) if bar.rate is not None]
    waiting = [p for p, bar in zip(positions, bars, strict=True) if bar.rate is None]
    axes.barh(
        [p for p, _ in judged], [100 * (bar.rate or 0) for _, bar in judged], color=BAR_COLOUR
    )
    axes.barh(waiting, [100] * len(waiting), fill=False, hatch="///", edgecolor=NOT_DUE_COLOUR)
    for position, bar in zip(positions, bars, strict=True):
        if bar.rate is None:  # "—" in the middle of its empty bar
            axes.text(50, position, t("stats.no_data"), ha="center", va="center", bbox=NOT_DUE_BOX)
        else:
            axes.text(
                100 * bar.rate + 1, position, f"{bar.rate:.0%}", va="center", fontsize="small"
            )
    axes.set_yticks(positions, [bar.name for bar in bars])
    axes.invert_yaxis()  # the best grid on top
    axes.set_xlim(0, 110)
    average = judged_average([counts for _, counts in grids])
    if average is not None:
        scope = area_name(t, view.scope)
        label = t("chart.average", scope=scope, rate=f"{average:.0%}")
        axes.axvline(
            100 * average, color=AVERAGE_COLOUR, linestyle="--", linewidth=1.2, label=label
        )
        axes.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize="small")
    axes.set_title(t("chart.grids_title"))
    xlabel = t("chart.rate_axis")
    if waiting:
        xlabel += "\n" + t("chart.not_due")
    axes.set_xlabel(xlabel)
