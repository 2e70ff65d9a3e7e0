"""One instance sends notices at a time.

Telegram's 30 messages a second are the bot's, not each process's: two instances each sending at
BROADCAST_RATE would send twice that and be answered 429. The instance that holds a PostgreSQL
advisory lock (on a connection of its own, so it is released when the process dies) runs the
sender; the others wait and take over within a few seconds if it goes. On SQLite one process
serves the database, so it always holds the lock.
"""

from __future__ import annotations

import logging

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database

log = logging.getLogger(__name__)

# The key of the advisory lock (any fixed 64-bit number, distinct from the migration lock's).
SENDER_LOCK_KEY = 7_146_371_305_012_400_002


class SenderLock:
    def __init__(self, database: Database) -> None:
        self.database = database
        self._connection: AsyncConnection | None = None

    async def held(self) -> bool:
        """Whether this instance is the sender now (taking the lock when it is free)."""
        if self.database.is_sqlite:
            return True
        if self._connection is not None:
            if await self._alive(self._connection):
                return True
            await self._forget()
        connection = await self.database.engine.connect()
        try:
            taken = await connection.scalar(
                text("SELECT pg_try_advisory_lock(:key)"), {"key": SENDER_LOCK_KEY}
            )
            await connection.commit()
        except DBAPIError:
            await connection.close()
            return False
        if not taken:
            await connection.close()
            return False
        log.info("this instance sends the notices now")
        self._connection = connection
        return True

    async def release(self) -> None:
        if self._connection is None:
            return
        try:
            await self._connection.execute(
                text("SELECT pg_advisory_unlock(:key)"), {"key": SENDER_LOCK_KEY}
            )
            await self._connection.commit()
        except DBAPIError:
            log.warning("the sender lock could not be released; it goes with the connection")
        await self._forget()

    @staticmethod
    async def _alive(connection: AsyncConnection) -> bool:
        try:
            await connection.execute(text("SELECT 1"))
            await connection.commit()
        except DBAPIError:
            return False
        return True

    async def _forget(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                await connection.close()
            except DBAPIError:
                log.debug("closing the sender lock's connection failed", exc_info=True)
