"""The area tree with its counts, and /find's query, on SQLite and on PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select

from app.admin_cli import DEMO_FILE
from bot.cases import find
from bot.people import organisation, staff
from bot.places.areas import import_file
from bot.texts import Catalogue
from storage.db import Database
from storage.models import Area, Case, CaseStatus, Category, Person, Role

ZH = Catalogue.load().translator("zh")


async def _seed(database: Database) -> tuple[Person, Person]:
    """Officers: 2 in JN01-1, 1 in JN05-1. Cases: JN01-1 new + closed, JN01-2 resolved."""
    await import_file(database, DEMO_FILE)
    await staff.appoint(database, 1, Role.OFFICER, "JN01-1")
    await staff.appoint(database, 2, Role.OFFICER, "JN01-1", backup=True)
    await staff.appoint(database, 3, Role.OFFICER, "JN05-1")
    lead = (await staff.appoint(database, 4, Role.LEAD, "JN01")).person
    admin = (await staff.appoint(database, 5, Role.ADMIN, None)).person
    async with database.transaction() as session:
        areas = {a.code: a.id for a in (await session.scalars(select(Area))).all()}
        fire = await session.scalar(select(Category.id).where(Category.code == "fire"))
        reporter = Person(tg_id=6, name="居民")
        session.add(reporter)
        await session.flush()
        for number, status, grid, text in [
            ("JN-000001", CaseStatus.NEW, "JN01-1", "50% 的楼道_堆了纸箱"),
            ("JN-000002", CaseStatus.CLOSED, "JN01-1", "纸箱"),
            ("JN-000003", CaseStatus.RESOLVED, "JN01-2", "Blocked EXIT"),
        ]:
            session.add(
                Case(
                    number=number,
                    status=status,
                    area_id=areas[grid],
                    category_id=fire,
                    reporter_id=reporter.id,
                    description=text,
                    submitted_at=datetime(2026, 11, int(number[-1]), tzinfo=UTC),
                )
            )
    return lead, admin


async def test_the_tree_counts_officers_and_open_cases_upwards(database: Database) -> None:
    await _seed(database)
    tree = await organisation.branches(database, None)
    counts = {b.area.code: (b.depth, b.officers, b.open_cases) for b in tree}
    assert counts["JN"] == (0, 3, 2)
    assert counts["JN01"] == (1, 2, 2)
    assert counts["JN01-1"] == (2, 2, 1)
    assert counts["JN01-2"] == (2, 0, 1)
    assert counts["JN05"] == (1, 1, 0)
    assert [b.area.code for b in tree[:4]] == ["JN", "JN01", "JN01-1", "JN01-2"]
    grid = next(b for b in tree if b.area.code == "JN01-1")
    assert [p.tg_id for p in grid.people] == [1, 2]
    assert [p.tg_id for p in await organisation.unbound_admins(database)] == [5]


async def test_find_matches_words_literally_and_ignores_case(database: Database) -> None:
    _, admin = await _seed(database)
    found, total = await find.find(database, admin, "50%", ZH)
    assert ([f.case.number for f in found], total) == (["JN-000001"], 1)
    assert (await find.find(database, admin, "楼道_", ZH))[1] == 1
    assert (await find.find(database, admin, "_堆", ZH))[1] == 1
    assert (await find.find(database, admin, "%纸", ZH))[1] == 0
    assert [f.case.number for f in (await find.find(database, admin, "exit", ZH))[0]] == [
        "JN-000003"
    ]
    found, total = await find.find(database, admin, "纸箱", ZH)
    assert ([f.case.number for f in found], total) == (["JN-000002", "JN-000001"], 2)
    assert found[0].area is not None
    assert found[0].area.code == "JN01-1"
    assert found[0].category is not None
    assert found[0].category.code == "fire"
