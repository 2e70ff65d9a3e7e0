"""aiogram FSM storage in the database, so a conversation survives a restart.

On SQLite one process owns the database, so the storage also keeps every row it read or wrote
in memory: reads cost nothing and a write is one statement. On PostgreSQL several instances may
share the rows (without Redis), so every read goes to the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StorageKey
from sqlalchemy import delete, select

from storage.db import Database
from storage.models import ConversationState
from storage.upsert import upsert


@dataclass
class _Row:
    state: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.state is None and not self.data


class DatabaseStorage(BaseStorage):
    """State and data of each key in one row of `conversation_states`."""

    def __init__(
        self,
        database: Database,
        key_builder: KeyBuilder | None = None,
        *,
        cached: bool | None = None,
    ) -> None:
        self.database = database
        self.key_builder = key_builder or DefaultKeyBuilder(with_destiny=True)
        self.cached = database.is_sqlite if cached is None else cached
        self._rows: dict[str, _Row] = {}

    async def set_state(self, key: StorageKey, state: str | State | None = None) -> None:
        await self._save(key, state=state.state if isinstance(state, State) else state)

    async def get_state(self, key: StorageKey) -> str | None:
        return (await self._read(key)).state

    async def set_data(self, key: StorageKey, data: Mapping[str, Any]) -> None:
        await self._save(key, data=dict(data))

    async def get_data(self, key: StorageKey) -> dict[str, Any]:
        return dict((await self._read(key)).data)

    async def close(self) -> None:
        """The database is closed by its owner, not by the storage."""

    async def _read(self, key: StorageKey) -> _Row:
        storage_key = self.key_builder.build(key)
        if storage_key in self._rows:
            return self._rows[storage_key]
        async with self.database.sessions() as session:
            stored = await session.get(ConversationState, storage_key)
        row = _Row(stored.state, dict(stored.data or {})) if stored else _Row()
        if self.cached:
            self._rows[storage_key] = row
        return row

    async def _save(self, key: StorageKey, **changes: Any) -> None:
        """Write the changed fields; the row goes when it holds neither state nor data."""
        storage_key = self.key_builder.build(key)
        if not self.cached:
            await self._write_through(storage_key, changes)
            return
        row = replace(await self._read(key), **changes)
        async with self.database.transaction() as session:
            if row.empty:
                await session.execute(
                    delete(ConversationState).where(ConversationState.key == storage_key)
                )
            else:
                values = {"key": storage_key, "state": row.state, "data": row.data}
                await upsert(session, ConversationState, values, ["key"])
        self._rows[storage_key] = row  # only once written: a failed write changes nothing

    async def _write_through(self, storage_key: str, changes: dict[str, Any]) -> None:
        async with self.database.transaction() as session:
            await upsert(session, ConversationState, {"key": storage_key, **changes}, ["key"])
            stored = await session.get(ConversationState, storage_key)
            if stored is not None and stored.state is None and not stored.data:
                await session.execute(
                    delete(ConversationState).where(ConversationState.key == storage_key)
                )

    async def keys(self) -> list[str]:
        """Every stored key (for tests and maintenance)."""
        async with self.database.sessions() as session:
            return list((await session.scalars(select(ConversationState.key))).all())
