"""The dog register's lapse reminders at the size of a city district, on PostgreSQL.

N approved dogs (default 100,000), two per owner, spread over the demo street's grids, their
last rabies vaccination evenly over the past two years. The reminders of every earlier day are
already recorded (written with COPY, as months of ticks would have left them), so what is
timed is one day's work as the clock's hourly job does it: finding the dogs whose 30-day, 7-day
or lapse reminder falls due today, recording each once and queueing its message in the
notices' outbox. Then the same tick again (nothing left: the second instance's case).
"""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import asyncpg
from sqlalchemy import func, select

from app import admin_cli
from bench.common import Stopwatch, report
from bench.stats_seed import scratch_database
from bot.dogs import rules
from bot.dogs.reminders import queue_reminders
from bot.places import areas
from bot.texts import Catalogue
from storage import migrate
from storage.db import Database
from storage.models import AreaLevel, Delivery

TZ = ZoneInfo("Asia/Shanghai")
DOGS_PER_OWNER = 2
SPAN_DAYS = 730
OWNER_TG_IDS = 700_000_000
BATCH = 50_000

PEOPLE = ("id", "tg_id", "name", "role", "banned", "reachable", "on_duty", "backup",
          "created_at", "last_seen_at")  # fmt: skip
DOGS = ("id", "number", "owner_id", "area_id", "status", "name", "breed", "colour", "size", "sex",
        "photo_file_id", "photo_unique_id", "vaccinated_on", "certificate", "restricted",
        "created_at", "updated_at", "approved_at")  # fmt: skip
REMINDERS = ("dog_id", "vaccinated_on", "stage", "created_at")


async def seed(database: Database, dsn: str, size: int, today: date, now: datetime) -> None:
    await areas.import_features(database, await areas.read_file(admin_cli.DEMO_FILE))
    connection = await asyncpg.connect(dsn)
    try:
        grids = [
            row["id"]
            for row in await connection.fetch(
                "SELECT id FROM areas WHERE level = $1", AreaLevel.GRID.value
            )
        ]
        owners = -(-size // DOGS_PER_OWNER)
        people = [
            (i, OWNER_TG_IDS + i, f"owner {i}", "resident", False, True, True, False, now, now)
            for i in range(1, owners + 1)
        ]
        await connection.copy_records_to_table("people", records=people, columns=PEOPLE)
        chance = random.Random(18)
        dogs, reminders = [], []
        for dog_id in range(1, size + 1):
            given = today - timedelta(days=chance.randrange(SPAN_DAYS))
            dogs.append(_dog(dog_id, chance.choice(grids), given, now))
            stage = rules.stage_due(given, today - timedelta(days=1))
            if stage is not None:  # what the ticks of the days before recorded
                reminders.append((dog_id, given, int(stage), now))
            if len(dogs) >= BATCH:
                await connection.copy_records_to_table("dogs", records=dogs, columns=DOGS)
                dogs = []
        await connection.copy_records_to_table("dogs", records=dogs, columns=DOGS)
        await connection.copy_records_to_table(
            "dog_reminders", records=reminders, columns=REMINDERS
        )
        for table in ("people", "dogs"):
            await connection.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"  # noqa: S608
            )
        await connection.execute("ANALYZE")
    finally:
        await connection.close()


def _dog(dog_id: int, grid: int, given: date, now: datetime) -> tuple[object, ...]:
    owner = (dog_id - 1) // DOGS_PER_OWNER + 1
    return (dog_id, f"JN-D{dog_id:06d}", owner, grid, "approved", f"狗{dog_id}", "mixed", "黄",
            "small", "male", "photo", f"u{dog_id}", given, f"CD-{dog_id}", False, now, now,
            now)  # fmt: skip


async def run(size: int | None) -> None:
    dogs = size or 100_000
    now = datetime.now(UTC)
    today = now.astimezone(TZ).date()
    catalogue = Catalogue.load()
    async with scratch_database("minqing_bench_dogs") as dsn:
        database = Database(dsn.replace("postgresql://", "postgresql+asyncpg://", 1))
        await migrate.upgrade(database)
        with Stopwatch() as seeding:
            await seed(database, dsn, dogs, today, now)
        with Stopwatch() as tick:
            queued = await queue_reminders(database, catalogue, TZ, now)
        with Stopwatch() as again:
            repeated = await queue_reminders(database, catalogue, TZ, now)
        async with database.sessions() as session:
            deliveries = await session.scalar(select(func.count()).select_from(Delivery))
        await database.dispose()
    report(
        "dogs",
        {"dogs": dogs, "seed_s": round(seeding.seconds, 1), "queued": queued,
         "deliveries": deliveries, "tick_s": round(tick.seconds, 3),
         "second_tick_queued": repeated, "second_tick_s": round(again.seconds, 3)},
    )  # fmt: skip
