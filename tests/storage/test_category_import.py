"""Importing the categories file on SQLite and PostgreSQL: all or nothing, idempotent, never
deleting; and what the answers it gives mean for a case (danger now, urgent, a department)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
import yaml
from sqlalchemy import func, select

from bot.categories import departments, importing, table
from bot.categories.spec import CategoryFileError
from bot.reports import drafts
from storage.db import Database
from storage.models import Case, Category, DepartmentGroup, Person
from tests.storage.test_lifecycle import draft, people

DEMO = Path(__file__).parents[2] / "app" / "demo" / "categories.yaml"
FIVE = ["fire", "dog", "land", "sanitation", "other"]


async def _categories(database: Database) -> dict[str, Category]:
    async with database.sessions() as session:
        return {c.code: c for c in await session.scalars(select(Category))}


async def _file(database: Database) -> dict:
    return yaml.safe_load(await importing.export(database))


async def test_the_seeded_five_export_and_import_back_unchanged(database: Database) -> None:
    exported = await importing.export(database)
    summary = await importing.import_data(database, exported.encode())
    assert summary.nothing_changed
    assert summary.unchanged == FIVE


async def test_the_demo_file_adds_four_and_a_second_import_changes_nothing(
    database: Database,
) -> None:
    first = await importing.import_data(database, DEMO.read_bytes())
    assert first.added == ["safety", "dispute", "scrap", "living"]
    assert first.changed == ["other"]  # it moves to the end of the list
    assert not first.deactivated
    before = {code: importing.row_of(c) for code, c in (await _categories(database)).items()}
    second = await importing.import_data(database, DEMO.read_bytes())
    assert second.nothing_changed
    assert len(second.unchanged) == 9
    after = {code: importing.row_of(c) for code, c in (await _categories(database)).items()}
    assert after == before
    residents_see = [c.code for c in await drafts.categories(database)]
    assert residents_see[:4] == ["fire", "dog", "land", "sanitation"]
    assert residents_see[-1] == "other"


async def test_a_bad_category_anywhere_changes_nothing(database: Database) -> None:
    content = await _file(database)
    content["categories"][0]["accept"] = "90m"  # a good change…
    content["categories"].append({**content["categories"][1], "code": "new", "accept": "soon"})
    before = {code: importing.row_of(c) for code, c in (await _categories(database)).items()}
    with pytest.raises(CategoryFileError) as raised:
        await importing.import_data(database, yaml.safe_dump(content).encode())
    assert [(p.category, p.field) for p in raised.value.problems] == [
        ("new", "accept"),
        ("new", "service_code"),  # the copy repeats dog's service code too
    ]
    after = {code: importing.row_of(c) for code, c in (await _categories(database)).items()}
    assert after == before


async def test_a_service_code_of_a_category_left_out_is_refused(database: Database) -> None:
    content = await _file(database)
    fire = content["categories"].pop(0)
    content["categories"][0]["service_code"] = fire["service_code"]
    with pytest.raises(CategoryFileError) as raised:
        await importing.import_data(database, yaml.safe_dump(content).encode())
    assert [(p.category, p.field, p.values) for p in raised.value.problems] == [
        ("dog", "service_code", {"other": "fire"})
    ]
    assert (await _categories(database))["fire"].active


async def test_a_category_left_out_is_deactivated_and_its_cases_kept(database: Database) -> None:
    reporter, _, _ = await people(database)
    fire_id = (await _categories(database))["fire"].id
    case = await draft(database, reporter, fire_id)
    await drafts.submit(database, case.id, reporter, None)
    content = await _file(database)
    content["categories"] = [c for c in content["categories"] if c["code"] not in ("fire", "land")]

    summary = await importing.import_data(database, yaml.safe_dump(content).encode())

    assert summary.deactivated == ["fire", "land"]  # land has no case: kept all the same
    assert not summary.added
    assert not summary.changed
    kept = await _categories(database)
    assert set(kept) == set(FIVE)
    assert not kept["fire"].active
    assert not kept["land"].active
    async with database.sessions() as session:
        assert await session.scalar(select(func.count()).select_from(Case)) == 1
    assert "fire" not in [c.code for c in await drafts.categories(database)]
    again = await importing.import_data(database, yaml.safe_dump(content).encode())
    assert again.nothing_changed  # already inactive


async def test_a_change_is_seen_at_once_by_this_process(database: Database) -> None:
    await table.every(database)
    fire = (await _categories(database))["fire"]
    assert (await table.category(database, fire.id)).name_zh == "火灾隐患"  # type: ignore[union-attr]
    content = await _file(database)
    content["categories"][0]["name"]["zh"] = "消防隐患"
    summary = await importing.import_data(database, yaml.safe_dump(content).encode())
    assert summary.changed == ["fire"]
    assert (await table.category(database, fire.id)).name_zh == "消防隐患"  # type: ignore[union-attr]


async def _answered(database: Database, code: str, answers: dict[str, str]) -> tuple[Case, bool]:
    reporter, _, _ = await people(database)
    category = (await _categories(database))[code]
    case = await draft(database, reporter, category.id)
    danger = False
    for key, option in answers.items():
        case, said = await drafts.answer(database, case, key, option)
        danger = danger or said
    return case, danger


async def test_an_urgent_answer_gives_urgent_deadlines_without_the_fast_path(
    database: Database,
) -> None:
    await importing.import_data(database, DEMO.read_bytes())
    case, danger = await _answered(database, "safety", {"situation": "violation"})
    assert case.urgent
    assert not danger
    async with database.sessions() as session:
        reporter = await session.get(Person, case.reporter_id)
    assert reporter is not None
    submitted = (await drafts.submit(database, case.id, reporter, None)).case
    assert submitted.accept_due_at - submitted.submitted_at == timedelta(minutes=30)
    assert submitted.resolve_due_at - submitted.submitted_at == timedelta(days=1)


async def test_a_danger_now_answer_is_said_once(database: Database) -> None:
    await importing.import_data(database, DEMO.read_bytes())
    reporter, _, _ = await people(database)
    safety = (await _categories(database))["safety"]
    case = await draft(database, reporter, safety.id)
    case, danger = await drafts.answer(database, case, "situation", "accident_now")
    assert danger
    assert case.urgent
    case, again = await drafts.answer(database, case, "sector", "gas")
    assert not again
    assert case.urgent


async def test_an_answer_adds_its_department_group(database: Database) -> None:
    await importing.import_data(database, DEMO.read_bytes())
    assert {"mediation", "police", "labour"} <= set(await departments.departments(database))
    async with database.transaction() as session:
        session.add(DepartmentGroup(department="mediation", chat_id=-1001, title="调解"))
        session.add(DepartmentGroup(department="police", chat_id=-1002, title="派出所"))
    calm, _ = await _answered(database, "dispute", {"kind": "neighbours", "state": "calm"})
    assert await departments.groups_of(database, calm) == [-1001]
    async with database.transaction() as session:
        fight = await session.get(Case, calm.id)
        assert fight is not None
        fight.answers = {"kind": "neighbours", "state": "fighting"}
    assert await departments.groups_of(database, fight) == [-1001, -1002]
