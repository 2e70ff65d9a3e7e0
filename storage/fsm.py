"""aiogram FSM storage in the database, so a conversation survives a restart.

On SQLite one process owns the database, so the storage also keeps every row it read or wrote
in memory: reads cost nothing. Within an update (`deferred()`, opened by the update journal) the
changes wait and are written in the transaction that marks the update handled: one write per
update, and a failed update leaves the conversation where it was, ready for a replay. On
PostgreSQL several instances may share the rows (without Redis), so every read and write goes to
the database at once.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from typing import Any

from aiogram.fsm.state import State
from aiogram.fsm.storage.base import BaseStorage, DefaultKeyBuilder, KeyBuilder, StorageKey
from sqlalchemy import delete, select

from storage.db import Database
from storage.models import ConversationState
from storage.upsert import Executor, upsert


@dataclass
class _Row:
    state: str | None = None
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def empty(self) -> bool:
        return self.state is None and not self.data


@dataclass
class Pending:
    """The changes of one update, written when it is marked handled."""

    owner: DatabaseStorage
    rows: dict[str, _Row] = field(default_factory=dict)
    open: bool = True

    def holds(self, storage: DatabaseStorage) -> bool:
        """Whether `storage`'s changes are held here now."""
        return self.open and self.owner is storage


_pending: ContextVar[Pending | None] = ContextVar("fsm_pending", default=None)


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

    @contextmanager
    def deferred(self) -> Iterator[Pending | None]:
        """Hold this update's changes (cached storage only) until `write_pending` writes them."""
        if not self.cached:
            yield None
            return
        pending = Pending(self)
        token = _pending.set(pending)
        try:
            yield pending
        finally:
            pending.open = False  # a task the update left behind writes through from now on
            _pending.reset(token)

    async def write_pending(self, session: Executor, pending: Pending | None) -> None:
        """Write the held changes in the caller's transaction."""
        if pending is None:
            return
        for storage_key, row in pending.rows.items():
            await self._write_row(session, storage_key, row)

    def keep_pending(self, pending: Pending | None) -> None:
        """The transaction committed: the held changes are the stored ones now."""
        if pending is not None:
            self._rows.update(pending.rows)
            pending.rows.clear()

    async def _read(self, key: StorageKey) -> _Row:
        storage_key = self.key_builder.build(key)
        pending = _pending.get()
        if pending is not None and pending.holds(self) and storage_key in pending.rows:
            return pending.rows[storage_key]
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
        pending = _pending.get()
        if pending is not None and pending.holds(self):
            pending.rows[storage_key] = row
            return
        async with self.database.transaction() as session:
            await self._write_row(session, storage_key, row)
        self._rows[storage_key] = row  # only once written: a failed write changes nothing

    @staticmethod
    async def _write_row(session: Executor, storage_key: str, row: _Row) -> None:
        if row.empty:
            await session.execute(
                delete(ConversationState).where(ConversationState.key == storage_key)
            )
        else:
            values = {"key": storage_key, "state": row.state, "data": row.data}
            await upsert(session, ConversationState, values, ["key"])

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
