"""Many writers at once on SQLite: they queue in the process, not in SQLite's busy handler, so
none waits past the connection pool's timeout (200 residents reporting at once did)."""

from __future__ import annotations

import asyncio
from pathlib import Path

from sqlalchemy import func, select

from storage import migrate
from storage.db import Database
from storage.models import Person


async def test_writers_queue_longer_than_the_pools_timeout(tmp_path: Path) -> None:
    database = Database(
        f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}", pool_size=2, max_overflow=0, pool_timeout=1
    )
    await migrate.upgrade(database)

    async def write(n: int) -> None:
        async with database.transaction() as session:
            session.add(Person(tg_id=10_000 + n, name=f"p{n}"))
            await session.flush()
            await asyncio.sleep(0.02)  # 120 × 20 ms: the last waits well past the 1 s pool timeout

    try:
        await asyncio.gather(*(write(n) for n in range(120)))
        async with database.sessions() as session:
            assert await session.scalar(select(func.count()).select_from(Person)) == 120
    finally:
        await database.dispose()
