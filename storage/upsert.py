"""INSERT … ON CONFLICT for both SQLite and PostgreSQL.

SQLAlchemy's dialect `insert().on_conflict_…()` constructs cannot be cached: each execution
compiled its SQL again, and these run on every update (the update journal, conversation state,
people). Both databases read the same `ON CONFLICT (…) DO …` syntax, so the statement is written
once per table, columns and keys, typed like the model's columns, and SQLAlchemy caches it.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import Table, TextClause, bindparam, text
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession
from sqlalchemy.orm import DeclarativeBase

from storage.types import utcnow

# A session, or a Core connection (`Database.write()`).
Executor = AsyncSession | AsyncConnection


async def upsert(
    session: Executor,
    model: type[DeclarativeBase],
    values: dict[str, Any],
    keys: list[str],
) -> None:
    """Insert `values`, or update the row with the same `keys` with them."""
    table = _table(model)
    if "updated_at" in table.c and "updated_at" not in values:
        values = {**values, "updated_at": utcnow()}
    await _execute(session, table, values, keys, update=True)


async def insert_if_absent(
    session: Executor, model: type[DeclarativeBase], values: dict[str, Any], keys: list[str]
) -> bool:
    """Insert `values` unless a row with the same `keys` exists; True when inserted."""
    result = await _execute(session, _table(model), values, keys, update=False)
    return bool(result.rowcount)  # type: ignore[attr-defined]


def _table(model: type[DeclarativeBase]) -> Table:
    return model.__table__  # type: ignore[return-value]


async def _execute(
    session: Executor, table: Table, values: dict[str, Any], keys: list[str], *, update: bool
) -> Any:
    row = {**_defaults(table, values), **values}
    changes = tuple(name for name in values if name not in keys) if update else ()
    dialect = (
        session.dialect if isinstance(session, AsyncConnection) else session.get_bind().dialect
    )
    statement = _statement(dialect, table, tuple(row), tuple(keys), changes)
    return await session.execute(statement, row)


def _defaults(table: Table, values: dict[str, Any]) -> dict[str, Any]:
    """The Python-side defaults of the columns not given (SQLAlchemy fills those for inserts)."""
    defaults = {}
    for column in table.c:
        default = column.default
        if column.name in values or default is None:
            continue
        defaults[column.name] = default.arg(None) if default.is_callable else default.arg
    return defaults


@cache
def _statement(
    dialect: Dialect,
    table: Table,
    columns: tuple[str, ...],
    keys: tuple[str, ...],
    changes: tuple[str, ...],
) -> TextClause:
    """INSERT of `columns`; on a conflict over `keys`, `changes` are updated (none: nothing)."""
    quote = dialect.identifier_preparer.quote
    names = ", ".join(quote(name) for name in columns)
    params = ", ".join(f":{name}" for name in columns)
    conflict = ", ".join(quote(name) for name in keys)
    sets = ", ".join(f"{quote(name)} = excluded.{quote(name)}" for name in changes)
    action = f"DO UPDATE SET {sets}" if changes else "DO NOTHING"
    # Only the model's own table and column names, quoted by the dialect; values are bound.
    into = dialect.identifier_preparer.format_table(table)
    sql = f"INSERT INTO {into} ({names}) VALUES ({params}) ON CONFLICT ({conflict}) {action}"  # noqa: S608
    return text(sql).bindparams(*(bindparam(name, type_=table.c[name].type) for name in columns))
