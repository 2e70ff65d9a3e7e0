"""Conversation state survives a restart: in the database by default, in Redis when set."""

from __future__ import annotations

import pytest
from aiogram.fsm.storage.base import StorageKey
from aiogram.fsm.storage.redis import RedisStorage

from app.wiring import conversation_storage, redis_client
from bot.config import Settings
from storage.db import Database
from storage.fsm import DatabaseStorage
from tests.conftest import REDIS_URL

KEY = StorageKey(bot_id=1, chat_id=1001, user_id=1001)
TOKEN = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345"


async def test_state_and_data_survive_a_new_connection(database: Database) -> None:
    storage = DatabaseStorage(database)
    await storage.set_state(KEY, "Report:photos")
    await storage.update_data(KEY, {"category": "fire", "photos": ["a", "b"], "text": "楼道堆物"})
    await database.dispose()

    restarted = DatabaseStorage(Database(database.url))
    assert await restarted.get_state(KEY) == "Report:photos"
    assert await restarted.get_data(KEY) == {
        "category": "fire",
        "photos": ["a", "b"],
        "text": "楼道堆物",
    }
    other = StorageKey(bot_id=1, chat_id=1002, user_id=1002)
    assert await restarted.get_state(other) is None
    assert await restarted.get_data(other) == {}
    await restarted.database.dispose()


async def fresh_read(database: Database) -> str | None:
    """What another process (or a restart) would read now."""
    return await DatabaseStorage(database, cached=False).get_state(KEY)


async def test_an_updates_changes_are_written_with_it_or_not_at_all(database: Database) -> None:
    storage = DatabaseStorage(database, cached=True)
    await storage.set_state(KEY, "Report:category")
    with storage.deferred() as pending:
        await storage.set_state(KEY, "Report:text")
        await storage.update_data(KEY, {"category": "fire"})
        assert await storage.get_state(KEY) == "Report:text"  # the update sees its changes
        assert await fresh_read(database) == "Report:category"  # nothing written yet
        async with database.transaction() as session:  # the journal's "handled" transaction
            await storage.write_pending(session, pending)
        storage.keep_pending(pending)
    assert await fresh_read(database) == "Report:text"
    assert await DatabaseStorage(database, cached=False).get_data(KEY) == {"category": "fire"}

    with storage.deferred():  # an update that fails: its changes are dropped
        await storage.set_state(KEY, "Report:photos")
    assert await storage.get_state(KEY) == "Report:text"
    assert await fresh_read(database) == "Report:text"


async def test_a_write_after_the_update_ended_goes_through(database: Database) -> None:
    storage = DatabaseStorage(database, cached=True)
    with storage.deferred():
        pass
    await storage.set_state(KEY, "Report:text")  # e.g. a task the update left running
    assert await fresh_read(database) == "Report:text"


async def test_clearing_removes_the_row(database: Database) -> None:
    storage = DatabaseStorage(database)
    await storage.set_state(KEY, "Language:choose")
    await storage.set_data(KEY, {"x": 1})
    assert await storage.keys() != []
    await storage.set_state(KEY, None)
    await storage.set_data(KEY, {})
    assert await storage.keys() == []


@pytest.mark.redis
async def test_redis_is_used_when_redis_url_is_set(database: Database) -> None:
    settings = Settings(bot_token=TOKEN, redis_url=REDIS_URL, _env_file=None)
    storage, isolation = conversation_storage(database, redis_client(settings))
    assert isinstance(storage, RedisStorage)
    await storage.redis.flushdb()
    await storage.set_state(KEY, "Report:where")
    await storage.set_data(KEY, {"lat": 30.1})
    await storage.close()

    again, isolation_again = conversation_storage(database, redis_client(settings))
    assert await again.get_state(KEY) == "Report:where"
    assert await again.get_data(KEY) == {"lat": 30.1}
    async with isolation_again.lock(KEY):
        pass
    await again.redis.flushdb()
    await again.close()
    await isolation.close()
