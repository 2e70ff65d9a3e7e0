"""Migrations and models agree, on SQLite and PostgreSQL; the default categories are seeded."""

from __future__ import annotations

import asyncio

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import select, text
from sqlalchemy.engine import Connection

from storage import migrate
from storage.db import Database
from storage.models import Base, Category
from tests.conftest import reset_postgres


async def test_models_and_migrations_agree(database: Database) -> None:
    def diff(connection: Connection) -> list:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return compare_metadata(context, Base.metadata)

    async with database.engine.connect() as connection:
        differences = await connection.run_sync(diff)
    assert differences == []


async def test_five_default_categories_with_both_names(database: Database) -> None:
    async with database.sessions() as session:
        categories = (await session.scalars(select(Category).order_by(Category.sort_order))).all()
    assert [c.code for c in categories] == ["fire", "dog", "land", "sanitation", "other"]
    names = {c.code: (c.name_zh, c.name_en) for c in categories}
    assert names["fire"] == ("火灾隐患", "Fire hazard")
    assert names["land"][0] == "违法用地/违法建设"
    assert names["sanitation"][0] == "市容环境"
    assert names["other"] == ("其他", "Other")
    assert "bite" in names["dog"][1]
    deadlines = {c.code: (c.accept_minutes, c.resolve_minutes) for c in categories}
    assert deadlines == {
        "fire": (30, 24 * 60),
        "dog": (120, 48 * 60),
        "land": (24 * 60, 7 * 24 * 60),
        "sanitation": (4 * 60, 72 * 60),
        "other": (24 * 60, 7 * 24 * 60),
    }
    fire = categories[0]
    assert fire.urgent
    assert fire.accept_minutes < min(c.accept_minutes for c in categories[1:])
    assert all(c.accept_minutes < c.resolve_minutes for c in categories)


async def test_upgrade_is_idempotent_and_reversible(database: Database) -> None:
    await migrate.upgrade(database)  # again: nothing to do
    assert await migrate.current_revision(database) is not None
    await migrate.downgrade(database, "base")
    assert await migrate.current_revision(database) is None
    await migrate.upgrade(database)
    async with database.sessions() as session:
        assert await session.scalar(select(text("count(*)")).select_from(Category)) == 5


async def test_sqlite_runs_in_wal_mode_with_foreign_keys(sqlite_url: str) -> None:
    database = Database(sqlite_url)
    async with database.sessions() as session:
        assert (await session.execute(text("PRAGMA journal_mode"))).scalar() == "wal"
        assert (await session.execute(text("PRAGMA foreign_keys"))).scalar() == 1
    await database.dispose()
    assert sqlite_url.endswith("bot.db")


@pytest.mark.postgres
async def test_concurrent_upgrades_of_a_fresh_postgres_database_all_succeed() -> None:
    """Instances that start together on an empty database take turns: none fails, one migrates."""
    url = await reset_postgres()
    databases = [Database(url) for _ in range(4)]
    try:
        await asyncio.gather(*(migrate.upgrade(db) for db in databases))
        head = ScriptDirectory.from_config(migrate.alembic_config(url)).get_current_head()
        assert head is not None
        assert [await migrate.current_revision(db) for db in databases] == [head] * 4
        async with databases[0].sessions() as session:
            assert await session.scalar(select(text("count(*)")).select_from(Category)) == 5
    finally:
        for db in databases:
            await db.dispose()
