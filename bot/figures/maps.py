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
from bot.figures.colours import OVERDUE, category_colour
from bot.people.scope import area_ids
from bot.texts import TextRef, Translator
from storage.db import Database
from storage.models import Area, AreaLevel, Case, CaseStatus, Category

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

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
    buffer = io.BytesIO()
    draw(case_map, t, title).savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def draw(case_map: CaseMap, t: Translator, title: str) -> Figure:
    """The map on a fresh Figure: outlines, case dots, and the areas' names above them."""
    from matplotlib.figure import Figure  # loaded on first use: it is big (~60 MB of RSS)

    from bot.figures.fonts import use_cjk_font

    use_cjk_font()
    figure = Figure(figsize=FIGURE_INCHES, dpi=DPI)
    axes = figure.add_subplot()
    _draw_outlines(axes, case_map.outlines)
    _draw_dots(axes, case_map, t)
    middle = shapely.union_all([o.geometry for o in case_map.outlines]).centroid
    axes.set_aspect(1 / math.cos(math.radians(middle.y)))  # a degree of longitude is shorter
    axes.set_title(plain(title))
    axes.set_axis_off()
    if case_map.dots:
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    return figure


@dataclass(frozen=True)
class Label:
    text: str
    x: float
    y: float
    level: AreaLevel


LABEL_SIZE = {AreaLevel.STREET: 10, AreaLevel.COMMUNITY: 8, AreaLevel.GRID: 6.5}
LABEL_BOX = {"boxstyle": "round,pad=0.15", "facecolor": "white", "edgecolor": "none", "alpha": 0.8}
LABELS_ON_TOP = 5  # above the dots (3) and the overdue rings (4)


def labels(outlines: list[Outline]) -> list[Label]:
    """A name for every community and grid shown (the street only when alone). A community's
    name sits at the top of its outline, a grid's at the bottom of its own (the middle, where
    cases tend to gather, stays clear), without the community's name that starts it
    (幸福社区第一网格 → 第一网格) when the community is named too."""
    communities = [o for o in outlines if o.level == AreaLevel.COMMUNITY]
    found = []
    for outline in outlines:
        if outline.level == AreaLevel.STREET and len(outlines) > 1:
            continue
        if outline.level == AreaLevel.COMMUNITY:
            spot = _inside_edge(outline.geometry, top=True)
            found.append(Label(outline.name, spot.x, spot.y, outline.level))
            continue
        spot = _inside_edge(outline.geometry, top=len(outlines) == 1)
        text = short_name(outline.name, [c.name for c in communities])
        found.append(Label(text, spot.x, spot.y, outline.level))
    return found


def short_name(name: str, communities: list[str]) -> str:
    """The name without a community's name that starts it, if anything is left."""
    for community in communities:
        if name.startswith(community) and name[len(community) :].strip():
            return name[len(community) :].strip()
    return name


def _inside_edge(geometry: BaseGeometry, *, top: bool) -> shapely.Point:
    """A point near the top (or bottom) of the outline, inside it (else its representative
    point)."""
    _, south, _, north = geometry.bounds
    inset = 0.06 * (north - south)
    spot = shapely.Point(geometry.centroid.x, north - inset if top else south + inset)
    return spot if geometry.contains(spot) else geometry.representative_point()


def _draw_outlines(axes: Axes, outlines: list[Outline]) -> None:
    for outline in outlines:
        colour, width = OUTLINE_STYLE[outline.level]
        for line in shapely.get_parts(outline.geometry.boundary):
            xs, ys = line.xy
            axes.plot(xs, ys, color=colour, linewidth=width, zorder=1)
    for label in labels(outlines):
        axes.text(
            label.x,
            label.y,
            plain(label.text),
            ha="center",
            va="center",
            fontsize=LABEL_SIZE[label.level],
            bbox=LABEL_BOX,
            zorder=LABELS_ON_TOP,
        )


def _draw_dots(axes: Axes, case_map: CaseMap, t: Translator) -> None:
    for category_id, name in case_map.categories.items():
        dots = [dot for dot in case_map.dots if dot.category_id == category_id]
        if dots:
            axes.scatter(
                [dot.longitude for dot in dots],
                [dot.latitude for dot in dots],
                s=36,
                color=category_colour(category_id),
                label=plain(t("map.legend_item", name=name, count=len(dots))),
                zorder=3,
            )
    late = [dot for dot in case_map.dots if dot.overdue]
    if late:
        name = plain(t("map.legend_overdue"))
        axes.scatter(
            [dot.longitude for dot in late],
            [dot.latitude for dot in late],
            s=170,
            facecolors="none",
            edgecolors=OVERDUE,
            linewidths=2,
            label=plain(t("map.legend_item", name=name, count=len(late))),
            zorder=4,
        )


def plain(text: str) -> str:
    # Texts are HTML for Telegram; a picture shows them as they read, and "$" is not the start
    # of a formula for matplotlib.
    return html.unescape(text).replace("$", r"\$")
