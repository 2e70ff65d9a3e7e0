"""Owed rows: what a change owes people, written in the change's transaction, held by whoever
delivers it, done once it went out. The process that made the change holds its row at first;
one that stops before delivering leaves it held, and once the hold is older than a lease the
clock of any instance takes it over with one conditional update, so two never both deliver it.

The same claim serves the cases' rows (`CaseOwed`, with their event) and everything else's
(`Owed`: a kind of subject, its id, and what of it is owed).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import Owed
from storage.types import utcnow

BATCH = 50
UNHELD = datetime(2000, 1, 1, tzinfo=UTC)  # older than any lease: free to take
Row = TypeVar("Row", bound=Any)  # a model with id, claimed_at and done_at


async def owe(
    session: AsyncSession,
    kind: str,
    subject_id: int,
    what: int | None = None,
    now: datetime | None = None,
) -> Owed:
    """Owe what `kind` says about the subject, inside the change's own transaction (at its
    moment `now`); held by the caller, who delivers it and then `settle`s it."""
    now = now or utcnow()
    row = Owed(kind=kind, subject_id=subject_id, what=what, created_at=now, claimed_at=now)
    session.add(row)
    await session.flush()
    return row


async def leave(session: AsyncSession, kind: str, subject_id: int, what: int | None = None) -> Owed:
    """Owe what `kind` says about the subject for the clock to deliver: the change is made by
    a process that never delivers (the command line), so nobody holds the row and any
    instance's clock takes it at its next round."""
    row = await owe(session, kind, subject_id, what)
    row.claimed_at = UNHELD
    await session.flush()
    return row


async def settle(database: Database, model: type[Row], row_id: int) -> None:
    """What the row owed has gone out."""
    async with database.transaction() as session:
        await session.execute(update(model).where(model.id == row_id).values(done_at=utcnow()))


async def take_overdue(
    database: Database,
    model: type[Row],
    now: datetime,
    lease: timedelta,
    *where: Any,
) -> list[Row]:
    """Rows (matching `where`) held longer than `lease`, as their holder stopped before
    delivering them, each now held by the caller (oldest first, at most BATCH)."""
    stale = now - lease
    open_ = (model.done_at.is_(None), model.claimed_at < stale, *where)
    async with database.sessions() as session:
        ids = list(
            await session.scalars(select(model.id).where(*open_).order_by(model.id).limit(BATCH))
        )
    taken = []
    for row_id in ids:
        async with database.transaction() as session:
            result = await session.execute(
                update(model).where(model.id == row_id, *open_).values(claimed_at=now)
            )
            if result.rowcount:  # type: ignore[attr-defined]
                taken.append(await session.get_one(model, row_id))
    return taken


async def take_owed(database: Database, kind: str, now: datetime, lease: timedelta) -> list[Owed]:
    """`take_overdue` for the rows of one kind of `Owed`."""
    return await take_overdue(database, Owed, now, lease, Owed.kind == kind)
