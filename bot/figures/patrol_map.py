"""The patrol layer of /map: the month's patrol tracks over the grids, the ground within 50 m
of a track shaded, and each grid labelled with its coverage (巡查覆盖率). Drawn on the case map's
Figure (outlines and open cases), in a worker thread like it."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date, tzinfo
from typing import TYPE_CHECKING

import shapely
from shapely.geometry.polygon import orient

from bot.duties import coverage
from bot.duties.coverage import GridCoverage, Track
from bot.figures import maps
from bot.people.scope import area_ids
from bot.texts import Translator
from bot.texts.shares import percent, share
from storage.db import Database
from storage.models import Area

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.patches import PathPatch
    from shapely.geometry.base import BaseGeometry

TRACK_COLOUR = "#1f4e99"
COVERED_COLOUR = "#6baed6"
SHARE_STYLE = {
    "color": TRACK_COLOUR,
    "bbox": {"boxstyle": "round,pad=0.2", "facecolor": "#ffffff", "edgecolor": TRACK_COLOUR},
    "zorder": 6,  # above the case map's labels (5)
}


@dataclass(frozen=True)
class PatrolLayer:
    tracks: list[Track]
    grids: list[GridCoverage]

    @property
    def average(self) -> float | None:
        """The grids' mean coverage (None, no data, with no grid)."""
        return share(sum(g.share for g in self.grids), len(self.grids))


async def load(database: Database, area: Area | None, month: date, tz: tzinfo) -> PatrolLayer:
    """The month's tracks and the coverage of the grids of `area` (None: the whole street)."""
    tracks, grids = await coverage.grids(database, month, tz, await area_ids(database, area))
    return PatrolLayer(tracks, grids)


def render(case_map: maps.CaseMap, layer: PatrolLayer, t: Translator, title: str) -> bytes:
    """The case map with the patrol layer, as PNG bytes (CPU-bound: call it in a thread)."""
    figure = maps.draw(case_map, t, title)
    axes = figure.axes[0]
    left, right = axes.get_xlim()
    bottom, top = axes.get_ylim()
    _draw(axes, layer, t, case_map.outlines)
    axes.set_xlim(left, right)  # tracks beyond the area do not widen the picture
    axes.set_ylim(bottom, top)
    if axes.get_legend_handles_labels()[0]:  # no track and no case: nothing to explain
        axes.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), frameon=False, fontsize=9)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", bbox_inches="tight")
    return buffer.getvalue()


def _draw(axes: Axes, layer: PatrolLayer, t: Translator, outlines: list[maps.Outline]) -> None:
    _draw_covered(axes, layer, maps.plain(t("map.legend_covered")), outlines)
    label: str | None = maps.plain(t("map.legend_track"))
    for track in layer.tracks:
        lats, lons = zip(*track, strict=True)
        axes.plot(lons, lats, color=TRACK_COLOUR, lw=1.6, label=label, zorder=2)
        label = None  # once in the legend
    for grid in layer.grids:
        spot = grid.geometry.representative_point()
        label = percent(t, grid.share)
        axes.text(spot.x, spot.y, label, ha="center", va="center", fontsize=9, **SHARE_STYLE)


def _draw_covered(axes: Axes, layer: PatrolLayer, label: str, outlines: list[maps.Outline]) -> None:
    """The ground within 50 m of a track, inside the area shown."""
    scope = shapely.union_all([outline.geometry for outline in outlines])
    projection = coverage.around(scope)
    ground = projection.to_degrees(coverage.covered(layer.tracks, projection))
    if ground.is_empty:
        return
    for index, polygon in enumerate(_polygons(ground.intersection(scope))):
        axes.add_patch(_patch(polygon, label if index == 0 else None))


def _polygons(geometry: BaseGeometry) -> list[shapely.Polygon]:
    return [part for part in shapely.get_parts(geometry) if isinstance(part, shapely.Polygon)]


def _patch(polygon: shapely.Polygon, label: str | None) -> PathPatch:
    from matplotlib.patches import PathPatch
    from matplotlib.path import Path

    # Rings oriented so that holes stay holes under matplotlib's nonzero fill rule.
    polygon = orient(polygon, 1.0)
    rings = [polygon.exterior, *polygon.interiors]
    path = Path.make_compound_path(*[Path(list(ring.coords), closed=True) for ring in rings])
    return PathPatch(
        path, facecolor=COVERED_COLOUR, edgecolor="none", alpha=0.35, label=label, zorder=1.5
    )
