"""Run the Alembic migrations from code (the command line and the bot's start use this).

Several instances starting at once on PostgreSQL would race the upgrade (each would create the
same tables and all but one fail), so an upgrade there holds an advisory lock: they take turns,
and the ones after the first find nothing left to do.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
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


def alembic_config(url: str) -> Config:
    """An Alembic config pointing at our migrations; no alembic.ini is needed."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


@asynccontextmanager
async def _migration_lock(database: Database) -> AsyncIterator[None]:
    """On PostgreSQL, hold the migration lock on a connection of its own, outside the upgrade's
    transaction. SQLite is left as it was: one process serves an SQLite database."""
    if database.is_sqlite:
        yield
        return
    async with database.engine.connect() as connection:
        await connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": MIGRATION_LOCK_KEY})
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
    config = alembic_config(database.url)

    def _run(connection: Connection) -> None:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)

    async with _migration_lock(database), database.engine.begin() as connection:
        await connection.run_sync(_run)


async def current_revision(database: Database) -> str | None:
    """The revision the database is at, or None when it was never migrated."""
    from alembic.runtime.migration import MigrationContext

    def _read(connection: Connection) -> str | None:
        return MigrationContext.configure(connection).get_current_revision()

    async with database.engine.connect() as connection:
        return await connection.run_sync(_read)
