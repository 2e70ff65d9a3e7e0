"""A patch on SQLAlchemy's aiosqlite adapter: one trip to the driver's thread per statement.

Upstream behaviour worked around: aiosqlite runs SQLite in a thread of its own, and every call
is a trip there and back: a queue, a thread switch, a future and a wake-up of the event loop
(aiosqlite issue #34). SQLAlchemy's adapter makes four for each SELECT (open a cursor, execute,
fetch all, close) and three for each write, and one more for the rollback that resets every
connection the pool takes back, even with no transaction open. Here a statement is one trip (the
cursor is opened, run, read and closed in the thread), and the reset is skipped when SQLite says
no transaction is open: about 60 trips fewer for each update a resident sends (bench/RESULTS.md,
section 1). It subclasses SQLAlchemy's private `AsyncAdapt_aiosqlite_*` classes and calls
aiosqlite's private `Connection._execute`.

Server-side cursors (streamed results) keep SQLAlchemy's own cursor.

Used only when `storage.db.Database(one_trip_cursor=True)` asks for it, as the command line does
unless `SQLITE_ONE_TRIP_CURSOR=false`; importing `storage` does not install it.
`tests/unit/test_patches.py` fails, naming this patch, when a private name it relies on
disappears.
"""

from __future__ import annotations

import sqlite3
from collections import deque
from collections.abc import Sequence
from typing import Any

import aiosqlite
from sqlalchemy.dialects.sqlite.aiosqlite import (
    AsyncAdapt_aiosqlite_connection,
    AsyncAdapt_aiosqlite_cursor,
    AsyncAdapt_aiosqlite_dbapi,
)

# What a statement leaves behind: description, rows, lastrowid, rowcount.
_Done = tuple[Any, deque[Any], int | None, int]


def _execute(
    connection: sqlite3.Connection, operation: str, parameters: Sequence[Any] | None
) -> _Done:
    """Run one statement to the end, in the driver's thread."""
    cursor = connection.cursor()
    try:
        cursor.execute(operation, () if parameters is None else parameters)
        if cursor.description:
            return cursor.description, deque(cursor.fetchall()), -1, -1
        return None, deque(), cursor.lastrowid, cursor.rowcount
    finally:
        cursor.close()


def _execute_many(
    connection: sqlite3.Connection, operation: str, parameters: Sequence[Sequence[Any]]
) -> _Done:
    cursor = connection.cursor()
    try:
        cursor.executemany(operation, parameters)
        return None, deque(), cursor.lastrowid, cursor.rowcount
    finally:
        cursor.close()


class OneTripCursor(AsyncAdapt_aiosqlite_cursor):
    __slots__ = ()

    def execute(self, operation: Any, parameters: Any = None) -> None:
        self._finish(_execute, operation, parameters)

    def executemany(self, operation: Any, seq_of_parameters: Any) -> None:
        self._finish(_execute_many, operation, seq_of_parameters)

    def _finish(self, run: Any, operation: Any, parameters: Any) -> None:
        driver: aiosqlite.Connection = self._connection  # type: ignore[assignment]
        try:
            done = self.await_(driver._execute(run, driver._conn, operation, parameters))
        except Exception as error:
            self._adapt_connection._handle_exception(error)
        self.description, self._rows, self.lastrowid, self.rowcount = done


class OneTripConnection(AsyncAdapt_aiosqlite_connection):
    __slots__ = ()

    def cursor(self, server_side: bool = False) -> AsyncAdapt_aiosqlite_cursor:
        return super().cursor(server_side) if server_side else OneTripCursor(self)

    def rollback(self) -> None:
        # Reading the flag is safe outside the driver's thread: nothing else runs on this
        # connection while SQLAlchemy waits for this call.
        if self._connection._conn.in_transaction:  # type: ignore[attr-defined]
            super().rollback()


class OneTripDbapi(AsyncAdapt_aiosqlite_dbapi):
    def connect(self, *args: Any, **kwargs: Any) -> OneTripConnection:
        adapted = super().connect(*args, **kwargs)
        return OneTripConnection(self, adapted._connection)


def dbapi() -> OneTripDbapi:
    """The module to give `create_async_engine(module=...)` for sqlite+aiosqlite URLs."""
    return OneTripDbapi(aiosqlite, sqlite3)
