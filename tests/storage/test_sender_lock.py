"""Only one instance sends notices: the sender lock on PostgreSQL, always held on SQLite."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from bot.notices.sender_lock import SenderLock
from storage.db import Database


async def test_one_holder_at_a_time_and_the_next_takes_over(database: Database) -> None:
    other_instance = Database(database.url)
    first, second = SenderLock(database), SenderLock(other_instance)
    try:
        assert await first.held()
        assert await first.held()  # still ours
        if database.is_sqlite:
            assert await second.held()  # one process serves SQLite: nothing to share
            return
        assert not await second.held()
        await first.release()
        assert await second.held()
        assert not await first.held()
    finally:
        await first.release()
        await second.release()
        await other_instance.dispose()


@pytest.mark.postgres
async def test_the_lock_goes_with_a_dead_instances_connection(postgres_url: str) -> None:
    dying, survivor = Database(postgres_url), Database(postgres_url)
    holder, waiting = SenderLock(dying), SenderLock(survivor)
    try:
        assert await holder.held()
        assert not await waiting.held()
        assert holder._connection is not None
        backend = await holder._connection.scalar(text("SELECT pg_backend_pid()"))
        async with survivor.engine.connect() as connection:  # the process dies
            # With a timeout the call returns once the backend has exited (and its locks gone).
            dead = text("SELECT pg_terminate_backend(:pid, 5000)")
            assert await connection.scalar(dead, {"pid": backend})
        assert await waiting.held()
        assert not await holder.held()  # it notices its connection is gone
    finally:
        await holder.release()
        await waiting.release()
        await dying.dispose()
        await survivor.dispose()
