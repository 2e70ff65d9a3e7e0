"""Importing areas from GeoJSON: checked first, all or nothing, idempotent."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.admin_cli import DEMO_FILE
from bot.places import areas
from bot.places.areas import AreaImportError
from bot.places.index import area_index
from storage.db import Database
from storage.models import Area, Case, Person

DEMO = json.loads(DEMO_FILE.read_text(encoding="utf-8"))


def collection(*features: dict) -> dict:
    return {"type": "FeatureCollection", "features": list(features)}


def feature(code: str, level: str, parent: str | None, geometry: dict | None = None) -> dict:
    square = {"type": "Polygon", "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]]}
    return {
        "type": "Feature",
        "properties": {"code": code, "name": f"区域 {code}", "level": level, "parent": parent},
        "geometry": geometry if geometry is not None else square,
    }


async def count(database: Database) -> int:
    async with database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Area)) or 0)


async def test_the_demo_street_imports_and_reimports_idempotently(database: Database) -> None:
    first = await areas.import_features(database, areas.parse(DEMO))
    assert (len(first.added), len(first.updated), first.unchanged) == (37, 0, 0)
    again = await areas.import_features(database, areas.parse(DEMO))
    assert (len(again.added), len(again.updated), again.unchanged) == (0, 0, 37)
    lines = await areas.tree(database)
    assert lines[0] == "JN  江南街道  (street)"
    assert lines[1] == "  JN01  幸福社区  (community)"
    assert lines[2] == "    JN01-1  幸福社区第一网格  (grid)"
    assert len(lines) == 37


async def test_renaming_keeps_the_cases_of_an_area(database: Database) -> None:
    await areas.import_features(database, areas.parse(DEMO))
    async with database.transaction() as session:
        grid = await session.scalar(select(Area).where(Area.code == "JN01-1"))
        reporter = Person(tg_id=1, name="x")
        session.add(reporter)
        await session.flush()
        session.add(Case(reporter_id=reporter.id, area_id=grid.id, answers={}))
    changed = copy.deepcopy(DEMO)
    changed["features"][2]["properties"]["name"] = "幸福一网格（新）"
    summary = await areas.import_features(database, areas.parse(changed))
    assert summary.updated == ["JN01-1"]
    async with database.sessions() as session:
        case = await session.scalar(select(Case))
        area = await session.get(Area, case.area_id)
    assert area.name == "幸福一网格（新）"


@pytest.mark.parametrize(
    ("features", "problem"),
    [
        (
            [
                feature("S", "street", None),
                feature("C", "community", "S"),
                feature(
                    "G",
                    "grid",
                    "C",
                    {"type": "Polygon", "coordinates": [[[0, 0], [1, 1], [1, 0], [0, 1], [0, 0]]]},
                ),
            ],
            "feature 3 (G): invalid geometry: Self-intersection",
        ),
        (
            [feature("S", "street", None), feature("C", "community", "NOPE")],
            "C: unknown parent 'NOPE'",
        ),
        (
            [feature("S", "street", None), feature("S", "street", None)],
            "feature 2 (S): duplicate code",
        ),
        (
            [feature("S", "street", None), feature("G", "grid", "S")],
            "G: the parent of a grid must be a community",
        ),
        ([feature("S", "town", None)], "feature 1 (S): level must be street, community or grid"),
        (
            [feature("S", "street", None), feature("C", "community", None)],
            "feature 2 (C): a community needs a parent",
        ),
        (
            [feature("S", "street", None, {"type": "Point", "coordinates": [1, 2]})],
            "must be a Polygon or MultiPolygon",
        ),
    ],
)
async def test_bad_features_are_named_and_nothing_is_written(
    database: Database, features: list[dict], problem: str
) -> None:
    with pytest.raises(AreaImportError) as caught:
        await areas.import_features(database, areas.parse(collection(*features)))
    assert any(problem in line for line in caught.value.problems), caught.value.problems
    assert await count(database) == 0


async def test_one_bad_feature_stops_the_whole_file(database: Database) -> None:
    bad = copy.deepcopy(DEMO)
    bad["features"][-1]["properties"]["parent"] = "JN99"
    with pytest.raises(AreaImportError):
        await areas.import_features(database, areas.parse(bad))
    assert await count(database) == 0


async def test_unreadable_files(tmp_path: Path, database: Database) -> None:
    broken = tmp_path / "broken.geojson"
    broken.write_text("{not json")
    with pytest.raises(AreaImportError, match=r"areas\.import_failed"):
        await areas.import_file(database, broken)
    with pytest.raises(AreaImportError):
        areas.parse({"type": "Feature"})


async def test_the_spatial_index_is_rebuilt_only_when_areas_change(database: Database) -> None:
    empty = await area_index(database)
    assert empty.empty
    await areas.import_features(database, areas.parse(DEMO))
    first = await area_index(database)
    assert not first.empty
    assert await area_index(database) is first  # unchanged: the same index
    located = first.locate(30.605, 104.0025)
    assert located is not None
    moved = copy.deepcopy(DEMO)
    moved["features"][2]["geometry"]["coordinates"][0] = [
        [104.1, 30.7],
        [104.2, 30.7],
        [104.2, 30.8],
        [104.1, 30.8],
        [104.1, 30.7],
    ]
    await areas.import_features(database, areas.parse(moved))
    second = await area_index(database)
    assert second is not first
    again = second.locate(30.75, 104.15)
    assert again is not None
    assert again.area_id == located.area_id  # JN01-1 now lies where its new boundary is


async def test_another_instances_import_is_seen_after_the_recheck_delay(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = Database(database.url)  # a second process on the same database
    try:
        assert (await area_index(other)).empty
        await areas.import_features(database, areas.parse(DEMO))
        assert (await area_index(other)).empty  # still within the delay: no query made
        monkeypatch.setattr("bot.places.index.AREAS_RECHECK_S", 0.0)
        assert not (await area_index(other)).empty
    finally:
        await other.dispose()


@pytest.mark.parametrize(
    ("coordinates", "kind"),
    [
        ([[[[0, 0], [1, 0], [1, 1], [0, 0]]]], "Polygon"),  # one level too deep
        ([[0, 0], [1, 0], [1, 1], [0, 0]], "Polygon"),  # one level too shallow
        ([[["0", 0], [1, 0], [1, 1], ["0", 0]]], "Polygon"),  # strings for numbers
        ([[[True, 0], [1, 0], [1, 1], [True, 0]]], "Polygon"),
        ([[]], "Polygon"),
    ],
)
def test_coordinates_of_the_wrong_shape_are_named_not_crashed_on(
    coordinates: list, kind: str
) -> None:
    bad = feature("G1", "grid", "C1", {"type": kind, "coordinates": coordinates})
    with pytest.raises(AreaImportError) as refused:
        areas.parse(collection(feature("C1", "community", None), bad))
    assert any("G1" in problem for problem in refused.value.problems)


def test_too_many_features_are_refused_before_they_are_read() -> None:
    many = collection(*[feature(f"G{n}", "grid", "C1") for n in range(areas.MAX_FEATURES + 1)])
    with pytest.raises(AreaImportError) as refused:
        areas.parse(many)
    assert refused.value.problems == [f"more than {areas.MAX_FEATURES} features"]


def test_an_upload_nested_too_deeply_is_refused() -> None:
    deep = b'{"type": "FeatureCollection", "features": ' + b"[" * 100_000 + b"]" * 100_000 + b"}"
    with pytest.raises(AreaImportError):
        areas.parse_upload(deep)
