"""Routing: which grid a reported point lies in, against 10,000 grids.

Grids are squares of about 300 m in a 100 × 100 lattice (100 communities of 10 × 10 grids) stored
in a fresh SQLite database; lookups are random points inside the lattice, plus 1 % outside every
grid that fall back to the nearest grid within 50 m. Measured: the in-memory index alone
(`lookups_per_s`), and the bot's own path per lookup (`bot.places.index.area_index`, which
checks the areas' version in the database, then the index: `db_lookups_per_s`).
"""

from __future__ import annotations

import math
import random
import tempfile
import time
from pathlib import Path

from bench.common import Stopwatch, peak_rss_mb, percentile, report
from bot.places.index import area_index
from storage import migrate
from storage.db import Database
from storage.models import Area, AreaLevel

SIDE_DEG = 0.003  # about 300 m of latitude
ORIGIN = (30.0, 120.0)  # lat, lon
TOLERANCE_M = 50.0


def _square(row: int, col: int) -> dict:
    lat, lon = ORIGIN[0] + row * SIDE_DEG, ORIGIN[1] + col * SIDE_DEG
    ring = [
        [lon, lat],
        [lon + SIDE_DEG, lat],
        [lon + SIDE_DEG, lat + SIDE_DEG],
        [lon, lat + SIDE_DEG],
        [lon, lat],
    ]
    return {"type": "Polygon", "coordinates": [ring]}


async def _seed(database: Database, side: int) -> None:
    async with database.transaction() as session:
        street = Area(code="S", name="street", level=AreaLevel.STREET)
        session.add(street)
        await session.flush()
        communities: dict[tuple[int, int], Area] = {}
        for row in range(0, side, 10):
            for col in range(0, side, 10):
                community = Area(
                    code=f"C{row}-{col}",
                    name=f"community {row}-{col}",
                    level=AreaLevel.COMMUNITY,
                    parent_id=street.id,
                )
                communities[(row, col)] = community
        session.add_all(communities.values())
        await session.flush()
        session.add_all(
            Area(
                code=f"G{row}-{col}",
                name=f"grid {row}-{col}",
                level=AreaLevel.GRID,
                parent_id=communities[(row // 10 * 10, col // 10 * 10)].id,
                boundary=_square(row, col),
            )
            for row in range(side)
            for col in range(side)
        )


def _points(count: int, side: int, seed: int = 7) -> list[tuple[float, float]]:
    rng = random.Random(seed)
    span = side * SIDE_DEG
    points = []
    for n in range(count):
        if n % 100 == 99:  # just outside the lattice: the nearest-grid fallback
            points.append((ORIGIN[0] - 0.0002, ORIGIN[1] + rng.random() * span))
        else:
            points.append((ORIGIN[0] + rng.random() * span, ORIGIN[1] + rng.random() * span))
    return points


async def run(size: int | None) -> None:
    grids = size or 10_000
    side = max(10, round(math.sqrt(grids)) // 10 * 10)
    lookups = 20_000
    with tempfile.TemporaryDirectory() as folder:
        database = Database(f"sqlite+aiosqlite:///{Path(folder) / 'bench.db'}")
        await migrate.upgrade(database)
        await _seed(database, side)
        with Stopwatch() as build:
            index = await area_index(database)
        points = _points(lookups, side)
        latencies, found = [], 0
        with Stopwatch() as pure:
            for lat, lon in points:
                started = time.perf_counter()
                found += index.locate(lat, lon, TOLERANCE_M) is not None
                latencies.append((time.perf_counter() - started) * 1e6)
        db_count = lookups // 10
        with Stopwatch() as through_db:
            for lat, lon in points[:db_count]:
                (await area_index(database)).locate(lat, lon, TOLERANCE_M)
        await database.dispose()
    report(
        "routing",
        {
            "grids": side * side,
            "lookups": lookups,
            "found": found,
            "index_build_s": round(build.seconds, 3),
            "lookups_per_s": round(lookups / pure.seconds),
            "p50_us": round(percentile(latencies, 0.5), 1),
            "p99_us": round(percentile(latencies, 0.99), 1),
            "db_lookups_per_s": round(db_count / through_db.seconds),
            "peak_rss_mb": peak_rss_mb(),
        },
    )
