"""INSERT … ON CONFLICT for both SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import DeclarativeBase

from storage.types import utcnow


def _insert(session: AsyncSession, model: type[DeclarativeBase]) -> Any:
    dialect = session.bind.dialect.name if session.bind else "sqlite"
    module = postgresql if dialect == "postgresql" else sqlite
    return module.insert(model)


async def upsert(
    session: AsyncSession,
    model: type[DeclarativeBase],
    values: dict[str, Any],
    keys: list[str],
) -> None:
    """Insert `values`, or update the row with the same `keys` with them."""
    if "updated_at" in model.__table__.c and "updated_at" not in values:
        values = {**values, "updated_at": utcnow()}
    statement = _insert(session, model).values(**values)
    changes = {k: v for k, v in values.items() if k not in keys}
    statement = statement.on_conflict_do_update(index_elements=keys, set_=changes)
    await session.execute(statement)


async def insert_if_absent(
    session: AsyncSession, model: type[DeclarativeBase], values: dict[str, Any], keys: list[str]
) -> bool:
    """Insert `values` unless a row with the same `keys` exists; True when inserted."""
    statement = _insert(session, model).values(**values).on_conflict_do_nothing(index_elements=keys)
    result = await session.execute(statement)
    return bool(result.rowcount)
