"""Migration 0013 on a full database: how long writes wait while its indexes are built.

A database of its own (`minqing_bench_mig_<pid>` on the server of `BENCH_POSTGRES_DSN`) is
migrated to 0012 and seeded as the stats benchmark does (N cases, default 1,000,000, with their
people; see `bench.stats_seed`). A writer in another connection then updates a random case and a
random person in turn, every 10 ms, for a second (`longest_write_idle_ms`) and while the upgrade
to 0013 runs (`upgrade_s`); `longest_write_ms` is the longest write to each table during it.
"""

from __future__ import annotations

import asyncio
import random
import time
from datetime import UTC, datetime

import asyncpg

from bench.common import Stopwatch, report
from bench.stats_seed import scratch_database, seed
from storage import migrate
from storage.db import Database

WRITES = {
    "cases": "UPDATE cases SET rework_count = rework_count WHERE id = $1",
    "people": "UPDATE people SET last_seen_at = now() WHERE id = $1",
}


async def _writer(
    dsn: str, size: int, durations: list[tuple[str, float]], stop: asyncio.Event
) -> None:
    """Append each write's table and duration in seconds to `durations` until `stop` is set."""
    connection = await asyncpg.connect(dsn)
    rng, tables = random.Random(1), list(WRITES)
    try:
        while not stop.is_set():
            table = tables[len(durations) % len(tables)]
            started = time.perf_counter()
            await connection.execute(WRITES[table], rng.randint(1, size // 20))
            durations.append((table, time.perf_counter() - started))
            await asyncio.sleep(0.01)
    finally:
        await connection.close()


async def run(size: int | None) -> None:
    cases = size or 1_000_000
    async with scratch_database("minqing_bench_mig") as dsn:
        database = Database(dsn.replace("postgresql://", "postgresql+asyncpg://", 1))
        await migrate.upgrade(database, "0012")
        await seed(database, dsn, cases, datetime.now(UTC))
        durations: list[tuple[str, float]] = []
        stop = asyncio.Event()
        writer = asyncio.create_task(_writer(dsn, cases, durations, stop))
        await asyncio.sleep(1)
        idle = len(durations)
        with Stopwatch() as upgrading:
            await migrate.upgrade(database, "0013")
        stop.set()
        await writer
        await database.dispose()
    report(
        "migration",
        {"cases": cases, "upgrade_s": round(upgrading.seconds, 2),
         "longest_write_idle_ms": _longest(durations[:idle]),
         "longest_write_ms": _longest(durations[idle:]),
         "writes_during_upgrade": len(durations) - idle},
    )  # fmt: skip


def _longest(durations: list[tuple[str, float]]) -> dict[str, float]:
    """The longest write to each table, in milliseconds."""
    return {
        table: round(max((s for t, s in durations if t == table), default=0) * 1000, 1)
        for table in WRITES
    }
