"""Statistics at scale: /stats, the red/black list and the register over N cases on PostgreSQL.

A database of its own (`minqing_bench_<pid>` on the server of `BENCH_POSTGRES_DSN`) is created,
migrated, seeded with the demo street and N cases over 12 months (default 1,000,000; see
`bench.stats_seed`) and dropped at the end. Measured, each the median of several runs, for the
last whole month before today (Asia/Shanghai): the indicators of the whole street
(`stats_month_s`, `bot.figures.stats.report`) and of one community (`stats_community_s`), cases
per day (`daily_s`), everything /stats gathers (`stats_command_s`), the red/black list
(`ranking_s`), and the month's register with reporters as .xlsx and as CSV. Each export format
runs in a fresh subprocess (`bench.stats_export`): `export_peak_rss_mb` is that process's peak
resident memory while exporting (Linux's VmHWM, reset just before the export: the interpreter
and its imports count, the spikes of importing do not; the larger of the two formats) and
`export_rss_growth_mb` is how much that peak exceeds the memory resident before the export."""

from __future__ import annotations

import asyncio
import json
import statistics
import sys
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select

from bench.common import Stopwatch, report
from bench.stats_seed import scratch_database, seed
from bot.figures import ranking, stats, stats_view
from bot.people import scope
from bot.register.export import Format
from bot.timing.periods import Period, previous_month
from storage import migrate
from storage.db import Database
from storage.models import Area, AreaLevel

TZ = ZoneInfo("Asia/Shanghai")
RUNS = 5
EXPORT_RUNS = 3


async def _median(runs: int, action: Callable[[], Awaitable[Any]]) -> float:
    seconds = []
    for _ in range(runs):
        with Stopwatch() as watch:
            await action()
        seconds.append(watch.seconds)
    return round(statistics.median(seconds), 3)


async def _queries(database: Database, period: Period, community: Area) -> dict[str, float]:
    tree = await stats.load_tree(database)
    community_ids = await scope.area_ids(database, community)
    return {
        "stats_month_s": await _median(RUNS, lambda: stats.report(database, period, None, tree)),
        "stats_community_s": await _median(
            RUNS, lambda: stats.report(database, period, community_ids, tree)
        ),
        "daily_s": await _median(RUNS, lambda: stats.daily(database, period, None)),
        "stats_command_s": await _median(RUNS, lambda: stats_view.gather(database, period, None)),
        "ranking_s": await _median(RUNS, lambda: ranking.rank(database, period)),
    }


async def _export(url: str, kind: Format, period: Period) -> dict[str, Any]:
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.stats_export", url, kind.value,
        period.first_day.isoformat(), period.last_day.isoformat(), str(EXPORT_RUNS),
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, _ = await child.communicate()
    if child.returncode != 0:
        raise RuntimeError(f"export of {kind.value} failed with exit code {child.returncode}")
    return json.loads(out.decode().strip().splitlines()[-1])


async def _exports(url: str, period: Period) -> dict[str, Any]:
    xlsx = await _export(url, Format.XLSX, period)
    csv = await _export(url, Format.CSV, period)
    peak = max(xlsx, csv, key=lambda figures: figures["peak_rss_mb"])
    return {
        "export_rows": xlsx["rows"],
        "export_xlsx_s": round(xlsx["seconds"], 3),
        "export_csv_s": round(csv["seconds"], 3),
        "export_rows_per_s": round(xlsx["rows"] / xlsx["seconds"]) if xlsx["seconds"] else 0,
        "export_csv_rows_per_s": round(csv["rows"] / csv["seconds"]) if csv["seconds"] else 0,
        "export_peak_rss_mb": peak["peak_rss_mb"],
        "export_rss_growth_mb": round(peak["peak_rss_mb"] - peak["rss_before_mb"], 1),
    }


async def _first_community(database: Database) -> Area:
    async with database.sessions() as session:
        found = await session.scalar(
            select(Area).where(Area.level == AreaLevel.COMMUNITY).order_by(Area.code).limit(1)
        )
    if found is None:
        raise RuntimeError("the demo street has no community")
    return found


async def run(size: int | None) -> None:
    cases = size or 1_000_000
    async with scratch_database("minqing_bench") as dsn:
        url = dsn.replace("postgresql://", "postgresql+asyncpg://", 1)
        database = Database(url)
        await migrate.upgrade(database)
        now = datetime.now(UTC)
        with Stopwatch() as seeding:
            await seed(database, dsn, cases, now)
        period = previous_month(now.astimezone(TZ).date(), TZ)
        community = await _first_community(database)
        figures = await _queries(database, period, community)
        await database.dispose()
        figures |= await _exports(url, period)
    report(
        "stats",
        {"cases": cases, "month": period.first_day.strftime("%Y-%m"),
         "seed_s": round(seeding.seconds, 1), **figures},
    )  # fmt: skip
