"""The aiosqlite adapter with one trip to the driver's thread per statement (storage/sqlite_driver.py):
the trips it saves, and everything a DBAPI cursor must still do."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import pytest
from sqlalchemy import exc, func, insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import READS, Database
from storage.models import Person
from storage.sqlite_driver import OneTripDbapi


@pytest.fixture
async def sqlite_database(sqlite_url: str) -> AsyncIterator[Database]:
    database = Database(sqlite_url, one_trip_cursor=True)
    async with database.engine.begin() as connection:
        await connection.execute(text("CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT UNIQUE)"))
    yield database
    await database.dispose()


async def _count_trips(connection: AsyncConnection) -> Callable[[], int]:
    """Counts the calls this connection's aiosqlite driver sends to its thread from now on."""
    driver = (await connection.get_raw_connection()).driver_connection
    trips = 0
    send = driver._execute

    async def counted(*args: Any, **kwargs: Any) -> Any:
        nonlocal trips
        trips += 1
        return await send(*args, **kwargs)

    driver._execute = counted
    return lambda: trips


async def test_sqlite_urls_use_it(sqlite_database: Database) -> None:
    assert isinstance(sqlite_database.engine.dialect.dbapi, OneTripDbapi)


async def test_a_statement_is_one_trip(sqlite_database: Database) -> None:
    async with sqlite_database.engine.connect() as connection:
        await connection.exec_driver_sql("SELECT 1")  # after the BEGIN that opens a transaction
        trips = await _count_trips(connection)
        await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
        assert trips() == 1
        rows = (await connection.execute(text("SELECT id, v FROM t"))).all()
        assert trips() == 2  # SQLAlchemy's own cursor takes four for a SELECT
        assert [tuple(row) for row in rows] == [(1, "a")]


async def test_rollback_is_skipped_only_when_no_transaction_is_open(
    sqlite_database: Database,
) -> None:
    reads = sqlite_database.engine.execution_options(**{READS: True})  # no BEGIN of their own
    async with reads.connect() as connection:
        trips = await _count_trips(connection)
        await connection.exec_driver_sql("SELECT 1")
        await connection.rollback()  # no transaction: nothing to send
        assert trips() == 1
        await connection.exec_driver_sql("BEGIN")
        await connection.exec_driver_sql("INSERT INTO t (v) VALUES ('never')")
    # The pool took the connection back with its transaction open: it was rolled back.
    async with sqlite_database.engine.connect() as connection:
        assert (await connection.scalar(text("SELECT count(*) FROM t"))) == 0


async def test_rowcount_lastrowid_returning_and_many(sqlite_database: Database) -> None:
    async with sqlite_database.engine.begin() as connection:
        first = await connection.execute(text("INSERT INTO t (v) VALUES ('a')"))
        assert (first.lastrowid, first.rowcount) == (1, 1)
        await connection.execute(text("INSERT INTO t (v) VALUES (:v)"), [{"v": "b"}, {"v": "c"}])
        changed = await connection.execute(text("UPDATE t SET v = v || '!' WHERE id > 1"))
        assert changed.rowcount == 2
        returned = await connection.execute(text("INSERT INTO t (v) VALUES ('d') RETURNING id, v"))
        assert [tuple(row) for row in returned] == [(4, "d")]
        values = (await connection.execute(text("SELECT v FROM t ORDER BY id"))).scalars().all()
    assert values == ["a", "b!", "c!", "d"]


async def test_errors_are_the_usual_ones_and_undo_the_transaction(
    sqlite_database: Database,
) -> None:
    async def run(*statements: str) -> None:
        async with sqlite_database.engine.begin() as connection:
            for statement in statements:
                await connection.execute(text(statement))

    with pytest.raises(exc.IntegrityError):
        await run("INSERT INTO t (v) VALUES ('a')", "INSERT INTO t (v) VALUES ('a')")
    with pytest.raises(exc.OperationalError, match="no such table"):
        await run("SELECT * FROM nothing_here")
    async with sqlite_database.engine.connect() as connection:
        assert (await connection.scalar(text("SELECT count(*) FROM t"))) == 0


async def test_orm_sessions_and_streamed_results(database: Database) -> None:
    """The whole stack on the project's tables (both databases): ORM writes, and a server-side
    cursor, which keeps SQLAlchemy's own adapter."""
    async with database.transaction() as session:
        session.add_all(Person(tg_id=7000 + n, name=f"p{n}") for n in range(5))
    async with database.transaction() as session:
        await session.execute(update(Person).where(Person.tg_id >= 7003).values(name="late"))
        await session.execute(insert(Person).values(tg_id=7100, name="core"))
    async with database.sessions() as session:
        streamed = [
            person.name
            async for person in await session.stream_scalars(
                select(Person).where(Person.tg_id >= 7000).order_by(Person.tg_id)
            )
        ]
        count = await session.scalar(select(func.count()).select_from(Person))
    assert streamed == ["p0", "p1", "p2", "late", "late", "core"]
    assert count == 6
