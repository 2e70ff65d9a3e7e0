"""Streets, communities and grids: importing them from GeoJSON and listing the tree.

An import is all or nothing: every feature is checked first (geometry, code, level, parent) and
one clear line names each bad feature; only a clean file is written, in one transaction.
Re-importing the same file changes nothing; a changed name or boundary is updated in place, so
cases keep their areas.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from shapely.geometry import shape
from shapely.validation import explain_validity
from sqlalchemy import select

from bot.errors import PoliteError
from bot.places.index import forget_area_index
from storage.db import Database
from storage.models import Area, AreaLevel

PARENT_LEVEL = {AreaLevel.COMMUNITY: AreaLevel.STREET, AreaLevel.GRID: AreaLevel.COMMUNITY}
LEVEL_ORDER = {AreaLevel.STREET: 0, AreaLevel.COMMUNITY: 1, AreaLevel.GRID: 2}


# An area file of a street is tens of kilobytes; these bounds keep a hostile or broken one from
# taking a minute and half a gigabyte (the command line and the chat share them).
FILE_LIMIT = 5 * 1024 * 1024
MAX_FEATURES = 20_000
# Polygon coordinates nest 3 deep ([ring][point][x, y]), MultiPolygon 4.
COORDINATE_DEPTH = {"Polygon": 3, "MultiPolygon": 4}


class AreaImportError(PoliteError):
    """A file that cannot be imported; `problems` has one line per bad feature."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__("areas.import_failed", problems="\n".join(problems[:20]))
        self.problems = problems


@dataclass
class ImportSummary:
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0


@dataclass(frozen=True)
class Feature:
    code: str
    name: str
    level: AreaLevel
    parent: str | None
    boundary: dict[str, Any] | None


def parse(collection: Any) -> list[Feature]:
    """Check every feature of a FeatureCollection; raises AreaImportError listing all problems."""
    if (
        not isinstance(collection, dict)
        or collection.get("type") != "FeatureCollection"
        or not isinstance(collection.get("features"), list)
    ):
        raise AreaImportError(["the file is not a GeoJSON FeatureCollection"])
    if len(collection["features"]) > MAX_FEATURES:
        raise AreaImportError([f"more than {MAX_FEATURES} features"])
    features, problems, seen = [], [], set()
    for number, raw in enumerate(collection["features"], start=1):
        feature, problem = _feature(number, raw)
        if problem:
            problems.append(problem)
        elif feature is not None:
            if feature.code in seen:
                problems.append(f"feature {number} ({feature.code}): duplicate code")
            seen.add(feature.code)
            features.append(feature)
    if problems:
        raise AreaImportError(problems)
    return features


def _feature(number: int, raw: Any) -> tuple[Feature | None, str | None]:
    properties = raw.get("properties") if isinstance(raw, dict) else None
    if not isinstance(properties, dict):
        return None, f"feature {number}: no properties"
    code = str(properties.get("code") or "").strip()
    name = str(properties.get("name") or "").strip()
    label = f"feature {number} ({code or 'no code'})"
    if not code or len(code) > 32 or not name or len(name) > 128:
        return None, f"{label}: needs a code (≤32 characters) and a name (≤128)"
    try:
        level = AreaLevel(str(properties.get("level") or ""))
    except ValueError:
        return None, f"{label}: level must be street, community or grid"
    parent = str(properties.get("parent") or "").strip() or None
    if (parent is None) != (level == AreaLevel.STREET):
        return None, f"{label}: a {level.value} {'has no' if parent else 'needs a'} parent"
    geometry = raw.get("geometry")
    if geometry is None:
        if level == AreaLevel.GRID:
            return None, f"{label}: a grid needs a boundary"
        return Feature(code, name, level, parent, None), None
    problem = _geometry_problem(geometry)
    if problem:
        return None, f"{label}: invalid geometry: {problem}"
    return Feature(code, name, level, parent, geometry), None


def _geometry_problem(geometry: Any) -> str | None:
    if not isinstance(geometry, dict) or geometry.get("type") not in COORDINATE_DEPTH:
        return "must be a Polygon or MultiPolygon"
    if not _nests(geometry.get("coordinates"), COORDINATE_DEPTH[geometry["type"]]):
        return "coordinates must be rings of [longitude, latitude] points"
    try:
        polygon = shape(geometry)
    except (ValueError, TypeError, AttributeError, IndexError) as error:
        return str(error) or "unreadable coordinates"
    if polygon.is_empty:
        return "empty"
    if not polygon.is_valid:
        return explain_validity(polygon)
    return None


async def import_features(database: Database, features: Sequence[Feature]) -> ImportSummary:
    """Write checked features (parents first) in one transaction; checks parents against the DB."""
    summary = ImportSummary()
    async with database.transaction() as session:
        existing = {area.code: area for area in (await session.scalars(select(Area))).all()}
        problems = _parent_problems(features, existing)
        if problems:
            raise AreaImportError(problems)
        for feature in sorted(features, key=lambda f: LEVEL_ORDER[f.level]):
            area = existing.get(feature.code)
            parent_id = existing[feature.parent].id if feature.parent else None
            if area is None:
                area = Area(code=feature.code, level=feature.level)
                session.add(area)
                existing[feature.code] = area
                summary.added.append(feature.code)
            elif (area.name, area.boundary, area.parent_id) == (
                feature.name,
                feature.boundary,
                parent_id,
            ):
                summary.unchanged += 1
                continue
            else:
                summary.updated.append(feature.code)
            area.name, area.boundary, area.parent_id = feature.name, feature.boundary, parent_id
            await session.flush()
    forget_area_index(database)
    return summary


def _parent_problems(features: Sequence[Feature], existing: dict[str, Area]) -> list[str]:
    levels = {code: area.level for code, area in existing.items()}
    levels.update({feature.code: feature.level for feature in features})
    problems = []
    for feature in features:
        known = existing.get(feature.code)
        if known is not None and known.level != feature.level:
            problems.append(
                f"{feature.code}: is a {known.level.value} already, not a {feature.level.value}"
            )
        if feature.parent is None:
            continue
        if feature.parent not in levels:
            problems.append(f"{feature.code}: unknown parent {feature.parent!r}")
        elif levels[feature.parent] != PARENT_LEVEL[feature.level]:
            problems.append(
                f"{feature.code}: the parent of a {feature.level.value} must be a "
                f"{PARENT_LEVEL[feature.level].value}, {feature.parent!r} is not"
            )
    return problems


def _nests(value: Any, depth: int) -> bool:
    """Whether `value` is lists nested exactly `depth` deep around numbers (checked without
    recursion, so no nesting is too deep to be told apart)."""
    level = [value]
    for _ in range(depth):
        if not all(isinstance(item, list) and item for item in level):
            return False
        level = [inner for item in level for inner in item]
    return all(isinstance(item, int | float) and not isinstance(item, bool) for item in level)


def _load(text: str) -> Any:
    """JSON, with nesting too deep for the parser reported as a problem of the file."""
    try:
        return json.loads(text)
    except RecursionError:
        raise AreaImportError(["the file nests its arrays too deeply to be GeoJSON"]) from None


async def read_file(path: Path) -> list[Feature]:
    """The checked features of a GeoJSON file (at most FILE_LIMIT bytes)."""
    try:
        size = (await asyncio.to_thread(path.stat)).st_size
        if size > FILE_LIMIT:
            raise AreaImportError([f"{path} is larger than {FILE_LIMIT // (1024 * 1024)} MB"])
        collection = _load(await asyncio.to_thread(path.read_text, encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as error:
        raise AreaImportError([f"cannot read {path}: {error}"]) from None
    return parse(collection)


def parse_upload(data: bytes) -> list[Feature]:
    """The checked features of a file sent to the bot; PoliteError when it is not JSON."""
    if len(data) > FILE_LIMIT:
        raise PoliteError("areas.file_too_big", limit=FILE_LIMIT // (1024 * 1024))
    try:
        collection = _load(data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise PoliteError("areas.not_json") from None
    return parse(collection)


async def import_file(database: Database, path: Path) -> ImportSummary:
    return await import_features(database, await read_file(path))


async def tree(database: Database) -> list[str]:
    """The area tree as indented lines: code, name, level."""
    async with database.sessions() as session:
        areas = (await session.scalars(select(Area).order_by(Area.code))).all()
    children: dict[int | None, list[Area]] = {}
    for area in areas:
        children.setdefault(area.parent_id, []).append(area)
    lines: list[str] = []

    def walk(parent: int | None, depth: int) -> None:
        for area in children.get(parent, []):
            lines.append(f"{'  ' * depth}{area.code}  {area.name}  ({area.level.value})")
            walk(area.id, depth + 1)

    walk(None, 0)
    return lines
