"""`Database.write()`: a Core connection in one write transaction (the journal's hot path)."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from storage import migrate
from storage.db import Database
from storage.models import Person


async def _people(database: Database) -> int:
    async with database.sessions() as session:
        return int(await session.scalar(select(func.count()).select_from(Person)) or 0)


async def test_a_write_commits_or_rolls_back_as_a_whole(database: Database) -> None:
    async with database.write() as connection:
        await connection.execute(insert(Person), [{"tg_id": 1, "name": "a"}])

    async def fail_half_way() -> None:
        async with database.write() as connection:
            await connection.execute(insert(Person), [{"tg_id": 2, "name": "b"}])
            raise RuntimeError("half way")

    with pytest.raises(RuntimeError):
        await fail_half_way()
    assert await _people(database) == 1


async def test_on_sqlite_a_write_holds_the_write_lock_from_its_start(tmp_path: Path) -> None:
    """BEGIN IMMEDIATE, as `transaction()`: a write that reads first cannot find, at its first
    write, that another writer went ahead (SQLite would refuse it, not wait)."""
    path = tmp_path / "bot.db"
    database = Database(f"sqlite+aiosqlite:///{path}")
    await migrate.upgrade(database)
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        async with database.write() as connection:
            await connection.execute(select(Person.id))  # only a read so far
            with pytest.raises(sqlite3.OperationalError, match="locked"):
                other.execute("BEGIN IMMEDIATE")
        other.execute("BEGIN IMMEDIATE")  # released with the write
        other.execute("ROLLBACK")
    finally:
        other.close()
        await database.dispose()
