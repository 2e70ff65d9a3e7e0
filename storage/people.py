"""Queries on people."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import Person, Role


async def by_tg_id(session: AsyncSession, tg_id: int) -> Person | None:
    return await session.scalar(select(Person).where(Person.tg_id == tg_id))


async def by_username(session: AsyncSession, username: str) -> Person | None:
    """Telegram usernames are case-insensitive."""
    return await session.scalar(
        select(Person).where(func.lower(Person.username) == username.lower()).limit(1)
    )


async def set_reachable(database: Database, tg_id: int, reachable: bool) -> bool:
    """Mark whether messages reach this person; True when someone was changed."""
    async with database.transaction() as session:
        result = await session.execute(
            update(Person)
            .where(Person.tg_id == tg_id, Person.reachable.is_not(reachable))
            .values(reachable=reachable)
        )
        return bool(result.rowcount)


async def staff(database: Database) -> Sequence[Person]:
    """Everyone whose role is not resident."""
    async with database.sessions() as session:
        rows = await session.scalars(select(Person).where(Person.role != Role.RESIDENT))
        return rows.all()
