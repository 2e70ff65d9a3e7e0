"""aiogram FSM storage in the database, so a conversation survives a restart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StorageKey
from sqlalchemy import delete, select

from storage.db import Database
from storage.models import ConversationState
from storage.upsert import upsert


class DatabaseStorage(BaseStorage):
    """State and data of each key in one row of `conversation_states`."""

    def __init__(self, database: Database, key_builder: KeyBuilder | None = None) -> None:
        self.database = database
        self.key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        value = state.state if isinstance(state, State) else state
        await self._write(key, {"state": value})

    async def get_state(self, key: StorageKey) -> str | None:
        row = await self._read(key)
        return row.state if row else None

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._write(key, {"data": dict(data)})

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        row = await self._read(key)
        return dict(row.data) if row and row.data else {}

    async def close(self) -> None:
        """The database is closed by its owner, not by the storage."""

    async def _read(self, key: StorageKey) -> ConversationState | None:
        async with self.database.sessions() as session:
            return await session.get(ConversationState, self.key_builder.build(key))

    async def _write(self, key: StorageKey, values: dict[str, Any]) -> None:
        storage_key = self.key_builder.build(key)
        async with self.database.transaction() as session:
            await upsert(session, ConversationState, {"key": storage_key, **values}, ["key"])
            row = await session.get(ConversationState, storage_key)
            if row is not None and row.state is None and not row.data:
                await session.execute(
                    delete(ConversationState).where(ConversationState.key == storage_key)
                )

    async def keys(self) -> list[str]:
        """Every stored key (for tests and maintenance)."""
        async with self.database.sessions() as session:
            return list((await session.scalars(select(ConversationState.key))).all())
