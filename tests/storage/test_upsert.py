"""INSERT … ON CONFLICT on both databases: defaults filled, updates, and one compilation."""

from __future__ import annotations

from typing import Any

from sqlalchemy import event, select
from sqlalchemy.engine.interfaces import CacheStats

from storage.db import Database
from storage.models import ConversationState, Person, Role
from storage.upsert import insert_if_absent, upsert


async def test_insert_if_absent_fills_defaults_and_keeps_the_first_row(database: Database) -> None:
    async with database.transaction() as session:
        first = await insert_if_absent(session, Person, {"tg_id": 501, "name": "甲"}, ["tg_id"])
        second = await insert_if_absent(session, Person, {"tg_id": 501, "name": "乙"}, ["tg_id"])
    async with database.sessions() as session:
        person = await session.scalar(select(Person).where(Person.tg_id == 501))

    assert (first, second) == (True, False)
    assert person is not None
    assert (person.name, person.role, person.reachable) == ("甲", Role.RESIDENT, True)
    assert person.created_at is not None


async def test_upsert_updates_only_the_columns_given(database: Database) -> None:
    key = "bot:1:chat:2:user:2"
    async with database.transaction() as session:
        await upsert(
            session, ConversationState, {"key": key, "state": "a", "data": {"n": 1}}, ["key"]
        )
    async with database.transaction() as session:
        await upsert(session, ConversationState, {"key": key, "state": "b"}, ["key"])
    async with database.sessions() as session:
        row = await session.get(ConversationState, key)

    assert row is not None
    assert (row.state, row.data) == ("b", {"n": 1})


async def test_an_upsert_is_compiled_once(database: Database) -> None:
    hits: list[Any] = []

    @event.listens_for(database.engine.sync_engine, "after_cursor_execute")
    def _record(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool):
        if statement.startswith("INSERT INTO conversation_states"):
            hits.append(context.cache_hit)

    for number in range(3):
        async with database.transaction() as session:
            values = {"key": f"k{number}", "state": "s", "data": {}}
            await upsert(session, ConversationState, values, ["key"])

    assert len(hits) == 3
    assert hits[1:] == [CacheStats.CACHE_HIT, CacheStats.CACHE_HIT]
