"""A briefly locked SQLite database is waited for, not failed on."""

from __future__ import annotations

from pathlib import Path

from bot.people.registration import Visitor, register
from storage import migrate
from storage.db import Database
from tests.helpers import sqlite_locked


async def test_a_write_waits_for_a_brief_lock(sqlite_url: str, tmp_path: Path) -> None:
    database = Database(sqlite_url)
    await migrate.upgrade(database)
    with sqlite_locked(tmp_path / "bot.db", seconds=1.0) as released:
        registration = await register(database, Visitor(1, "甲", None, "zh"), frozenset())
        assert released.is_set()  # it really had to wait
    assert registration.created
    await database.dispose()
