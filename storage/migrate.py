"""Run the Alembic migrations from code (the command line and the bot's start use this).

Several instances starting at once on PostgreSQL would race the upgrade (each would create the
same tables and all but one fail), so an upgrade there holds an advisory lock: they take turns,
and the ones after the first find nothing left to do.

On PostgreSQL each revision commits by itself (`transaction_per_migration` in env.py), because
some build indexes CONCURRENTLY, which runs outside a transaction (0013); an upgrade that fails
leaves the database at the last revision that finished. On SQLite the whole upgrade is one
transaction, as it always was.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from alembic import command
from alembic.config import Config
from sqlalchemy import text
from sqlalchemy.engine import Connection

from storage.db import Database

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
# The key of the PostgreSQL advisory lock held around an upgrade (any fixed 64-bit number).
MIGRATION_LOCK_KEY = 7_146_371_305_012_400_001
MIGRATION_LOCK_POLL_S = 0.2


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at our migrations; no alembic.ini is needed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@asynccontextmanager
async def _migration_lock(database: Database) -> AsyncIterator[None]:
    """On PostgreSQL, hold the migration lock on a connection of its own, outside the upgrade's
    transactions. SQLite is left as it was: one process serves an SQLite database.

    The lock is polled rather than waited for: a backend blocked in pg_advisory_lock() holds a
    snapshot, and CREATE INDEX CONCURRENTLY in the instance holding the lock waits for every
    older snapshot to end, so both would wait forever (PostgreSQL sees no deadlock: the lock is
    held by another connection of that instance); the concurrent upgrades of
    tests/storage/test_migrations.py hung that way.
    """
    if database.is_sqlite:
        yield
        return
    try_lock = text("SELECT pg_try_advisory_lock(:key)")
    async with database.engine.connect() as connection:
        while not await connection.scalar(try_lock, {"key": MIGRATION_LOCK_KEY}):
            await connection.commit()
            await asyncio.sleep(MIGRATION_LOCK_POLL_S)
        await connection.commit()
        try:
            yield
        finally:
            await connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": MIGRATION_LOCK_KEY}
            )
            await connection.commit()


async def upgrade(database: Database, revision: str = "head") -> None:
    """Bring the schema of `database` to `revision` (the newest by default); concurrent upgrades
    of one PostgreSQL database run one after the other."""
    await _run(database, lambda config: command.upgrade(config, revision))


async def downgrade(database: Database, revision: str) -> None:
    """Take the schema of `database` back to `revision` ("base": nothing)."""
    await _run(database, lambda config: command.downgrade(config, revision))


async def _run(database: Database, alembic_command: Callable[[Config], None]) -> None:
    config = alembic_config(database.url)

    def run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        alembic_command(config)

    # On PostgreSQL Alembic opens and commits the transactions itself (see the docstring above).
    connect = database.engine.begin if database.is_sqlite else database.engine.connect
    async with _migration_lock(database), connect() as connection:
        await connection.run_sync(run)


async def current_revision(database: Database) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    from alembic.runtime.migration import MigrationContext

    def _read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with database.engine.connect() as connection:
        return await connection.run_sync(_read)
