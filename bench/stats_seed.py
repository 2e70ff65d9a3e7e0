"""A year of cases for the statistics benchmark, written with PostgreSQL's COPY.

The demo street (12 communities, 24 grids) gets one officer per grid, one resident per 20 cases
and N cases submitted evenly over the 365 days before `now`, in the order of their ids (as
a live table fills, so a month's cases lie together on disk). Each case runs the loop as far as
its age allows: accepted and resolved after random delays scaled to its category's deadlines
(so some are late), 8 % sent back once and 1 % twice, closed one to four days after the fix,
55 % of closed cases rated (mostly 4–5); 4 % are rejected, 3 % duplicates, 5 % sit on a
community instead of a grid, 3 % have a follower. Rows go in batches through asyncpg's
`copy_records_to_table`, with explicit ids; the sequences are moved past them afterwards.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import random
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta

import asyncpg

from app import admin_cli
from bot.places import areas
from storage.db import Database
from storage.models import AreaLevel
from storage.models import CaseStatus as S

# The PostgreSQL server the benchmarks create their databases on (any database of it).
DSN = os.environ.get("BENCH_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test")
BATCH = 50_000
CASES_PER_RESIDENT = 20
SPAN = timedelta(days=365)
CATEGORY_WEIGHTS = {"fire": 10, "dog": 20, "land": 15, "sanitation": 40, "other": 15}
RATINGS, RATING_WEIGHTS = (5, 4, 3, 2, 1), (50, 25, 12, 8, 5)
RESIDENT_TG_IDS = 900_000_000
OFFICER_TG_IDS = 800_000_000

CASE_COLUMNS = (
    "id", "number", "status", "category_id", "reporter_id", "officer_id", "area_id",
    "duplicate_of_id", "description", "answers", "anonymous", "urgent", "escalation_level",
    "rework_count", "rating", "created_at", "submitted_at", "accept_due_at", "resolve_due_at",
    "accepted_at", "resolved_at", "closed_at",
)  # fmt: skip
PEOPLE_COLUMNS = (
    "id", "tg_id", "name", "username", "role", "area_id", "banned", "reachable", "on_duty",
    "backup", "created_at", "last_seen_at",
)  # fmt: skip

FOLLOWER_COLUMNS = ("case_id", "person_id", "created_at")
SEQUENCES_PAST_IDS = (
    "SELECT setval(pg_get_serial_sequence('people', 'id'), max(id)) FROM people",
    "SELECT setval(pg_get_serial_sequence('cases', 'id'), max(id)) FROM cases",
)


@dataclass(frozen=True)
class Category:
    id: int
    accept_minutes: int
    resolve_minutes: int
    urgent: bool


@dataclass(frozen=True)
class Street:
    grids: list[int]
    communities: list[int]
    officers: dict[int, int]  # grid id: officer id
    residents: range  # person ids
    categories: list[Category]
    weights: list[int]


async def seed(database: Database, dsn: str, size: int, now: datetime) -> Street:
    """The demo street, its people and `size` cases; then ANALYZE, as autovacuum would."""
    await areas.import_features(database, await areas.read_file(admin_cli.DEMO_FILE))
    connection = await asyncpg.connect(dsn)
    try:
        street = await _street(connection, size)
        # As pg_restore does: no foreign key triggers (the rows are consistent by construction)
        # and the plain indexes of cases built once at the end rather than row by row.
        await connection.execute("SET session_replication_role = replica")
        indexes = await _drop_plain_indexes(connection, "cases")
        await connection.copy_records_to_table(
            "people", records=_people(street, now), columns=PEOPLE_COLUMNS
        )
        cases = _Cases(street, now, size, random.Random(7))
        await _copy_cases(connection, cases, size)
        await connection.copy_records_to_table(
            "case_followers", records=cases.followers, columns=FOLLOWER_COLUMNS
        )
        for statement in (*indexes, *SEQUENCES_PAST_IDS, "ANALYZE"):
            await connection.execute(statement)
    finally:
        await connection.close()
    return street


async def _copy_cases(connection: asyncpg.Connection, cases: _Cases, size: int) -> None:
    """Batches made in a thread while the one before is copied, so client and server overlap."""
    batches = [range(start, min(start + BATCH, size + 1)) for start in range(1, size + 1, BATCH)]
    made = asyncio.create_task(asyncio.to_thread(cases.rows, batches[0]))
    for following in [*batches[1:], None]:
        rows = await made
        if following is not None:
            made = asyncio.create_task(asyncio.to_thread(cases.rows, following))
        await connection.copy_records_to_table("cases", records=rows, columns=CASE_COLUMNS)


async def _drop_plain_indexes(connection: asyncpg.Connection, table: str) -> list[str]:
    """Drop the indexes that back no constraint; the statements that make them again."""
    found = await connection.fetch(
        "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = $1 AND indexname NOT IN "
        "(SELECT conname FROM pg_constraint WHERE conrelid = $1::regclass)",
        table,
    )
    for row in found:
        await connection.execute(f'DROP INDEX "{row["indexname"]}"')
    return [row["indexdef"] for row in found]


async def _street(connection: asyncpg.Connection, size: int) -> Street:
    area_rows = await connection.fetch("SELECT id, level FROM areas ORDER BY code")
    grids = [row["id"] for row in area_rows if row["level"] == AreaLevel.GRID]
    communities = [row["id"] for row in area_rows if row["level"] == AreaLevel.COMMUNITY]
    first_person = (await connection.fetchval("SELECT coalesce(max(id), 0) FROM people")) + 1
    officers = {grid: first_person + n for n, grid in enumerate(grids)}
    first_resident = first_person + len(grids)
    residents = range(first_resident, first_resident + max(1, size // CASES_PER_RESIDENT))
    category_rows = await connection.fetch(
        "SELECT id, code, accept_minutes, resolve_minutes, urgent FROM categories ORDER BY id"
    )
    categories = [
        Category(row["id"], row["accept_minutes"], row["resolve_minutes"], row["urgent"])
        for row in category_rows
    ]
    weights = [CATEGORY_WEIGHTS.get(row["code"], 5) for row in category_rows]
    return Street(grids, communities, officers, residents, categories, weights)


def _people(street: Street, now: datetime) -> Iterator[tuple[object, ...]]:
    for grid, person in street.officers.items():
        yield (person, OFFICER_TG_IDS + person, f"网格员{person}", None, "officer", grid,
               False, True, True, False, now, now)  # fmt: skip
    for person in street.residents:
        yield (person, RESIDENT_TG_IDS + person, f"居民{person}", f"resident{person}",
               "resident", None, False, True, True, False, now, now)  # fmt: skip


class _Cases:
    """One case row at a time (ids in order, so a duplicate can point at the case before)."""

    def __init__(self, street: Street, now: datetime, size: int, rng: random.Random) -> None:
        self.street, self.now, self.size, self.rng = street, now, size, rng
        self.start = now - SPAN
        self.followers: list[tuple[int, int, datetime]] = []

    def rows(self, ids: range) -> list[tuple[object, ...]]:
        return [self.row(case_id) for case_id in ids]

    def row(self, case_id: int) -> tuple[object, ...]:
        rng, street = self.rng, self.street
        category = rng.choices(street.categories, street.weights)[0]
        on_grid = rng.random() < 0.95
        area = rng.choice(street.grids if on_grid else street.communities)
        # Filed in the order of their ids, as a live database fills (the table stays in time order)
        share = (case_id - rng.random()) / self.size
        submitted = self.start + timedelta(seconds=share * SPAN.total_seconds())
        reporter = rng.choice(street.residents)
        times = self._loop(category, submitted)
        status, accepted, resolved, closed, rework = times
        rating = None
        if status == S.CLOSED and rng.random() < 0.55:
            rating = rng.choices(RATINGS, RATING_WEIGHTS)[0]
        if rng.random() < 0.03:
            follower = rng.choice(street.residents)
            if follower != reporter:
                self.followers.append((case_id, follower, submitted))
        officer = street.officers.get(area) if accepted else None
        duplicate_of = case_id - 1 if status == S.DUPLICATE and case_id > 1 else None
        return (
            case_id, f"B-{case_id:07d}", status.value, category.id, reporter, officer, area,
            duplicate_of, "", "{}", rng.random() < 0.1, category.urgent, 0, rework, rating,
            submitted - timedelta(minutes=2), submitted,
            submitted + timedelta(minutes=category.accept_minutes),
            submitted + timedelta(minutes=category.resolve_minutes),
            accepted, resolved, closed,
        )  # fmt: skip

    def _loop(
        self, category: Category, submitted: datetime
    ) -> tuple[S, datetime | None, datetime | None, datetime | None, int]:
        """How far the case got by now: status, accepted, resolved, closed, reworks."""
        rng, now = self.rng, self.now
        kind = rng.random()
        if kind < 0.07:
            answered = submitted + timedelta(minutes=rng.expovariate(1 / 60))
            return (S.REJECTED if kind < 0.04 else S.DUPLICATE), None, None, answered, 0
        accepted = submitted + timedelta(minutes=rng.expovariate(2 / category.accept_minutes))
        if accepted > now:
            return S.NEW, None, None, None, 0
        handling = 1.6 / category.resolve_minutes
        resolved = accepted + timedelta(minutes=rng.expovariate(handling))
        chance = rng.random()
        rework = 2 if chance < 0.01 else 1 if chance < 0.09 else 0
        for _ in range(rework):  # each fix sent back costs another round of handling
            resolved += timedelta(minutes=rng.expovariate(handling))
        if resolved > now:
            return S.ACCEPTED, accepted, None, None, rework
        closed = resolved + timedelta(days=rng.uniform(1, 4))
        if closed > now:
            return S.RESOLVED, accepted, resolved, None, rework
        return S.CLOSED, accepted, resolved, closed, rework


@contextlib.asynccontextmanager
async def scratch_database(prefix: str) -> AsyncIterator[str]:
    """A new database `<prefix>_<pid>` on the server of DSN, dropped afterwards; yields its DSN."""
    name = f"{prefix}_{os.getpid()}"
    await _admin(f"CREATE DATABASE {name}")
    try:
        yield f"{DSN.rsplit('/', 1)[0]}/{name}"
    finally:
        await _admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


async def _admin(statement: str) -> None:
    connection = await asyncpg.connect(DSN)
    try:
        await connection.execute(statement)
    finally:
        await connection.close()
