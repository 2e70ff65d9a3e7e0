"""Migration 0013 builds its indexes on PostgreSQL without blocking writes, and an interrupted
build can be run again.

A transaction that wrote to cases and stays open makes the build wait, whichever way it builds,
so the test can look at it while it runs, without timing anything: a plain CREATE INDEX waits
for a SHARE lock on cases, and every write asked for after it queues behind it; CONCURRENTLY
holds a lock that writes do not conflict with.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy.exc import DBAPIError

from storage import migrate
from storage.db import Database

pytestmark = pytest.mark.postgres

INDEXES = ("ix_cases_duplicate_of_id", "ix_people_role_area", "ix_deliveries_person_id")
# The lock every INSERT, UPDATE and DELETE of a table takes; NOWAIT fails instead of queueing.
WRITE_LOCK = "LOCK TABLE cases IN ROW EXCLUSIVE MODE NOWAIT"


@pytest.fixture
async def at_0012(postgres_url: str) -> AsyncIterator[Database]:
    database = Database(postgres_url)
    await migrate.upgrade(database, "0012")
    yield database
    await database.dispose()


async def connect(database: Database) -> asyncpg.Connection:
    return await asyncpg.connect(database.url.replace("postgresql+asyncpg", "postgresql"))


async def build_waiting(admin: asyncpg.Connection) -> int:
    """The backend of the index build once it waits for a lock."""
    for _ in range(600):
        pid = await admin.fetchval(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
            " AND query ILIKE 'CREATE INDEX%' AND wait_event_type = 'Lock'"
        )
        if pid is not None:
            return pid
        await asyncio.sleep(0.05)
    raise AssertionError("the index build never waited for the open transaction")


async def valid_indexes(admin: asyncpg.Connection) -> dict[str, bool]:
    rows = await admin.fetch(
        "SELECT c.relname, i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid"
        " WHERE c.relname = ANY($1::text[])",
        list(INDEXES),
    )
    return {row["relname"]: row["indisvalid"] for row in rows}


async def test_writes_are_not_blocked_while_0013_builds_its_indexes(at_0012: Database) -> None:
    holder, writer = await connect(at_0012), await connect(at_0012)
    await holder.execute("BEGIN; LOCK TABLE cases IN ROW EXCLUSIVE MODE")
    upgrade = asyncio.create_task(migrate.upgrade(at_0012, "0013"))
    try:
        await build_waiting(writer)
        await writer.execute(f"BEGIN; {WRITE_LOCK}; ROLLBACK")  # raises when writes queue
    finally:
        await holder.execute("ROLLBACK")
        await upgrade
    assert await migrate.current_revision(at_0012) == "0013"
    assert await valid_indexes(writer) == dict.fromkeys(INDEXES, True)
    await holder.close()
    await writer.close()


async def test_an_interrupted_build_is_built_again_by_the_next_upgrade(at_0012: Database) -> None:
    holder, admin = await connect(at_0012), await connect(at_0012)
    await holder.execute("BEGIN; LOCK TABLE cases IN ROW EXCLUSIVE MODE")
    upgrade = asyncio.create_task(migrate.upgrade(at_0012, "0013"))
    try:
        await admin.execute("SELECT pg_cancel_backend($1)", await build_waiting(admin))
        with pytest.raises(DBAPIError, match="canceling statement"):
            await upgrade
    finally:
        await holder.execute("ROLLBACK")
    assert await migrate.current_revision(at_0012) == "0012"
    assert await valid_indexes(admin) == {"ix_cases_duplicate_of_id": False}

    await migrate.upgrade(at_0012, "0013")
    assert await migrate.current_revision(at_0012) == "0013"
    assert await valid_indexes(admin) == dict.fromkeys(INDEXES, True)
    await holder.close()
    await admin.close()
