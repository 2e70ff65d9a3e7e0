"""A briefly locked SQLite database is waited for, not failed on."""

from __future__ import annotations

import asyncio
import sqlite3
import threading
import time
from pathlib import Path

from bot.people import Visitor, register
from storage import migrate
from storage.db import Database


async def test_a_write_waits_for_a_brief_lock(sqlite_url: str, tmp_path: Path) -> None:
    database = Database(sqlite_url)
    await migrate.upgrade(database)
    released = threading.Event()

    def hold_lock() -> None:
        connection = sqlite3.connect(tmp_path / "bot.db", isolation_level=None)
        connection.execute("BEGIN EXCLUSIVE")
        time.sleep(1.0)
        connection.execute("COMMIT")
        released.set()
        connection.close()

    holder = threading.Thread(target=hold_lock)
    holder.start()
    await asyncio.sleep(0.2)
    registration = await register(database, Visitor(1, "甲", None, "zh"), frozenset())
    assert released.is_set()  # it really had to wait
    assert registration.created
    holder.join()
    await database.dispose()
