"""The database engine and short transactions.

SQLite is tuned for a bot: WAL so readers never wait for the writer, foreign keys on, a busy
timeout so a briefly locked database is waited for, and BEGIN IMMEDIATE so a transaction that
reads and then writes cannot fail half-way on a lock upgrade (see `transaction`). Read sessions
(`sessions()`) run without a transaction of their own (see READS).
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncConnection,
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

SQLITE_BUSY_TIMEOUT_S = 15
IMMEDIATE = "sqlite_begin_immediate"
# Read sessions on SQLite run without BEGIN: each SELECT reads the latest committed data by
# itself, and the BEGIN and its statement round trips to the driver's thread are saved (a third of
# an update's database cost in bench/pipeline.py).
READS = "sqlite_reads_without_begin"


def _prepare_sqlite_file(url: str) -> None:
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        Path(database).expanduser().parent.mkdir(parents=True, exist_ok=True)


def _tune_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, open transactions, so BEGIN IMMEDIATE below is used.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_S * 1000}")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get(IMMEDIATE, False):
            connection.exec_driver_sql("BEGIN IMMEDIATE")
        elif not options.get(READS, False):
            connection.exec_driver_sql("BEGIN")


def create_engine(url: str, *, one_trip_cursor: bool = False, **kwargs: Any) -> AsyncEngine:
    """An async engine for `url`, with SQLite tuned as described above. `one_trip_cursor` puts
    the patched aiosqlite adapter of `storage/sqlite_driver.py` in place of SQLAlchemy's own (the
    command line asks for it unless SQLITE_ONE_TRIP_CURSOR=false)."""
    if url.startswith("sqlite"):
        _prepare_sqlite_file(url)
        kwargs.setdefault("connect_args", {"timeout": SQLITE_BUSY_TIMEOUT_S})
        if one_trip_cursor and make_url(url).get_driver_name() == "aiosqlite":
            from storage import sqlite_driver  # only when asked: it subclasses private classes

            kwargs.setdefault("module", sqlite_driver.dbapi())
        engine = create_async_engine(url, **kwargs)
        _tune_sqlite(engine)
        return engine
    kwargs.setdefault("pool_pre_ping", True)
    kwargs.setdefault("pool_size", 10)
    return create_async_engine(url, **kwargs)


class Database:
    """The engine and its session factory; `transaction()` is one unit of work."""

    def __init__(self, url: str, *, one_trip_cursor: bool = False, **engine_kwargs: Any) -> None:
        self.url = url
        self.engine = create_engine(url, one_trip_cursor=one_trip_cursor, **engine_kwargs)
        self.sessions = async_sessionmaker(
            self.engine.execution_options(**{READS: True}), expire_on_commit=False
        )
        # SQLite has one writer at a time. This process's writers queue here, in order and
        # without holding a pooled connection, instead of in SQLite's busy handler, which sleeps
        # in growing steps and, with more writers than the pool has connections, starved some
        # past the pool's 30 s timeout (200 residents reporting at once, bench/pipeline.py).
        self._writer = asyncio.Lock() if self.is_sqlite else contextlib.nullcontext()
        self._immediate = self.engine.execution_options(**{IMMEDIATE: True})

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session inside one write transaction: committed on success, rolled back on error.

        On SQLite the transaction takes the write lock at once (BEGIN IMMEDIATE), waiting for it
        up to the busy timeout; plain `sessions()` are for reads and never block a writer.
        """
        async with self._writer, self.sessions() as session, session.begin():
            await session.connection(execution_options={IMMEDIATE: True})
            yield session

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        """A Core connection inside one write transaction, as `transaction()` but without the
        ORM session: for the statements every update makes (the journal), about half the CPU."""
        async with self._writer, self._immediate.begin() as connection:
            yield connection

    async def dispose(self) -> None:
        await self.engine.dispose()


class UnitOfWork(Database):
    """The database as one update sees it: one session for all of the update's work.

    It is a `Database` (the domain takes it where it takes one), over the database it was made
    from: reads (`sessions()`) run in the update's session without a transaction on SQLite and
    end at the block's end, so no transaction or connection is held across a call to Telegram;
    each `transaction()` or `write()` is a short write transaction in the same session. Objects
    a block returns are detached from it, as a closed session leaves them. Not for concurrent use:
    one update's work runs one step at a time.
    """

    def __init__(self, database: Database) -> None:  # no engine of its own
        self.root = database
        self.url = database.url
        self.engine = database.engine
        self._writer = database._writer
        self._session: AsyncSession | None = None
        self._reading = 0

    def _current(self) -> AsyncSession:
        if self._session is None:
            self._session = self.root.sessions()
        return self._session

    @asynccontextmanager
    async def sessions(self) -> AsyncIterator[AsyncSession]:  # type: ignore[override]
        session = self._current()
        self._reading += 1
        try:
            yield session
        finally:
            self._reading -= 1
            if not self._reading:
                await self._end_read(session)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        session = self._current()
        if session.in_transaction():  # a read block is open around this write: end its reads
            await session.commit()
        async with self._writer, session.begin():
            await session.connection(execution_options={IMMEDIATE: True})
            yield session
        session.expunge_all()

    @asynccontextmanager
    async def write(self) -> AsyncIterator[AsyncConnection]:
        async with self.transaction() as session:
            yield await session.connection()

    async def _end_read(self, session: AsyncSession) -> None:
        session.expunge_all()  # first: a rollback would expire what the block read
        if session.in_transaction():
            await session.rollback()

    async def dispose(self) -> None:
        """Close the update's session (the engine belongs to the database it was made from)."""
        if self._session is not None:
            await self._session.close()
            self._session = None


def root_of(database: Database) -> Database:
    """The process's database behind a unit of work (or the database itself): what caches key on."""
    return database.root if isinstance(database, UnitOfWork) else database
