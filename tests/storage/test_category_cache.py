"""Categories are read once per few seconds per process; a change made here is seen at once."""

from __future__ import annotations

import pytest
from sqlalchemy import update

from bot.categories import table
from bot.reports import drafts
from storage.db import Database
from storage.models import Category, Person


async def _set_active(database: Database, code: str, active: bool) -> None:
    """Another instance (or a script) changing a category behind this process's back."""
    async with database.transaction() as session:
        await session.execute(update(Category).where(Category.code == code).values(active=active))


async def test_a_change_elsewhere_is_seen_after_the_recheck_delay(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = [c.code for c in await drafts.categories(database)]
    assert "fire" in before

    await _set_active(database, "fire", False)
    assert [c.code for c in await drafts.categories(database)] == before  # still cached

    monkeypatch.setattr(table, "CATEGORIES_RECHECK_S", 0.0)
    after = [c.code for c in await drafts.categories(database)]
    assert after == [code for code in before if code != "fire"]


async def test_a_change_made_here_is_seen_at_once(database: Database) -> None:
    fire = next(c for c in await drafts.categories(database) if c.code == "fire")
    admin = Person(id=1, tg_id=1, name="admin")

    await table.change(database, "fire", "accept", "45m", admin)

    cached = await table.category(database, fire.id)
    assert cached is not None
    assert cached.accept_minutes == 45
