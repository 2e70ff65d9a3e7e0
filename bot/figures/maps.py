"""A map of open cases: the scope's stored boundaries, cases as dots by category, overdue ringed.

No map tiles: outlines come from the GeoJSON in `Area.boundary`. Drawing uses matplotlib's
object API on a fresh Figure (no pyplot global state), so it can run in a worker thread.
"""

from __future__ import annotations

import html
import io
import math
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

import shapely
from shapely.geometry import shape
from shapely.geometry.base import BaseGeometry
from sqlalchemy import select

from bot.cases.lifecycle import OPEN
from bot.errors import PoliteError
from bot.people.scope import area_ids
from bot.texts import TextRef, Translator
from storage.db import Database
from storage.models import Area, AreaLevel, Case, CaseStatus, Category

if TYPE_CHECKING:
    from matplotlib.axes import Axes

# matplotlib's tab10 without its red, which marks overdue cases.
PALETTE = (
    "#1f77b4",
    "#ff7f0e",
    "#2ca02c",
    "#9467bd",
    "#8c564b",
    "#e377c2",
    "#7f7f7f",
    "#bcbd22",
    "#17becf",
)
OVERDUE_COLOUR = "#d62728"
OUTLINE_STYLE = {  # colour, line width
    AreaLevel.STREET: ("#222222", 2.2),
    AreaLevel.COMMUNITY: ("#444444", 1.4),
    AreaLevel.GRID: ("#9a9a9a", 0.8),
}
COARSEST_FIRST = (AreaLevel.STREET, AreaLevel.COMMUNITY, AreaLevel.GRID)
FIGURE_INCHES = (9.0, 7.0)
DPI = 110


@dataclass(frozen=True)
class Outline:
    name: str
    level: AreaLevel
    geometry: BaseGeometry


@dataclass(frozen=True)
class Dot:
    latitude: float
    longitude: float
    category_id: int
    overdue: bool


@dataclass(frozen=True)
class CaseMap:
    outlines: list[Outline]
    dots: list[Dot]
    categories: dict[int, str]  # names in the reader's language, in menu order

    @property
    def overdue(self) -> int:
        return sum(dot.overdue for dot in self.dots)


def is_overdue(
    status: CaseStatus, accept_due: datetime | None, resolve_due: datetime | None, now: datetime
) -> bool:
    """Waiting past its deadline: not accepted by the accept one, or not resolved by the other."""
    if status == CaseStatus.NEW:
        return accept_due is not None and accept_due < now
    if status == CaseStatus.ACCEPTED:
        return resolve_due is not None and resolve_due < now
    return False


async def load(database: Database, area: Area | None, language: str, now: datetime) -> CaseMap:
    """The outlines and open located cases of `area` (None: the whole street)."""
    ids = await area_ids(database, area)
    areas = select(Area).where(Area.boundary.is_not(None)).order_by(Area.id)
    cases = select(
        Case.latitude,
        Case.longitude,
        Case.category_id,
        Case.status,
        Case.accept_due_at,
        Case.resolve_due_at,
    ).where(
        Case.status.in_(sorted(OPEN)),
        Case.latitude.is_not(None),
        Case.longitude.is_not(None),
        Case.category_id.is_not(None),
    )
    if ids is not None:
        areas = areas.where(Area.id.in_(sorted(ids)))
        cases = cases.where(Case.area_id.in_(sorted(ids)))
    async with database.sessions() as session:
        found = (await session.scalars(areas)).all()
        rows = (await session.execute(cases.order_by(Case.id))).all()
        kinds = (await session.scalars(select(Category).order_by(Category.sort_order))).all()
    outlines = [Outline(a.name, a.level, shape(a.boundary)) for a in found if a.boundary]
    if not outlines:
        where = area.name if area is not None else TextRef("staff.whole_street")
        raise PoliteError("map.no_boundaries", area=where)
    dots = [
        Dot(lat, lon, category, is_overdue(status, accept_due, resolve_due, now))
        for lat, lon, category, status, accept_due, resolve_due in rows
    ]
    return CaseMap(outlines, dots, {kind.id: kind.name(language) for kind in kinds})


def render(case_map: CaseMap, t: Translator, title: str) -> bytes:
    """The map as PNG bytes (CPU-bound: call it in a worker thread)."""
    from matplotlib.figure import Figure  # loaded on first use: it is big (~60 MB of RSS)

    from bot.figures.fonts import use_cjk_font

    use_cjk_font()
    figure = Figure(figsize=FIGURE_INCHES, dpi=DPI)
    axes = figure.add_subplot()
    _draw_outlines(axes, case_map.outlines)
    _draw_dots(axes, case_map, t)
    middle = shapely.union_all([o.geometry for o in case_map.outlines]).centroid
    axes.set_aspect(1 / math.cos(math.radians(middle.y)))  # a degree of longitude is shorter
    axes.set_title(_plain(title))
    axes.set_axis_off()
    if case_map.dots:
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def _draw_outlines(axes: Axes, outlines: list[Outline]) -> None:
    # Names of the level just below the scope (a street's communities, a community's grids):
    # a whole street's grid names would not fit in their cells.
    levels = [level for level in COARSEST_FIRST if any(o.level == level for o in outlines)]
    named = levels[1] if len(levels) > 1 else levels[0]
    for outline in outlines:
        colour, width = OUTLINE_STYLE[outline.level]
        for line in shapely.get_parts(outline.geometry.boundary):
            xs, ys = line.xy
            axes.plot(xs, ys, color=colour, linewidth=width, zorder=1)
        if outline.level == named:
            spot = outline.geometry.representative_point()
            axes.text(
                spot.x, spot.y, _plain(outline.name), ha="center", va="center", fontsize=7, zorder=2
            )


def _draw_dots(axes: Axes, case_map: CaseMap, t: Translator) -> None:
    for index, (category_id, name) in enumerate(case_map.categories.items()):
        dots = [dot for dot in case_map.dots if dot.category_id == category_id]
        if dots:
            axes.scatter(
                [dot.longitude for dot in dots],
                [dot.latitude for dot in dots],
                s=36,
                color=PALETTE[index % len(PALETTE)],
                label=_plain(t("map.legend_item", name=name, count=len(dots))),
                zorder=3,
            )
    late = [dot for dot in case_map.dots if dot.overdue]
    if late:
        name = _plain(t("map.legend_overdue"))
        axes.scatter(
            [dot.longitude for dot in late],
            [dot.latitude for dot in late],
            s=170,
            facecolors="none",
            edgecolors=OVERDUE_COLOUR,
            linewidths=2,
            label=_plain(t("map.legend_item", name=name, count=len(late))),
            zorder=4,
        )


def _plain(text: str) -> str:
    # Texts are HTML for Telegram; a picture shows them as they read, and "$" is not the start
    # of a formula for matplotlib.
    return html.unescape(text).replace("$", r"\$")
