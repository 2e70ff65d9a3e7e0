"""The update journal: which updates were handled, which failed, and their payloads.

An update is claimed before it is handled, so a redelivered update (a webhook retry, a second
instance) is not handled twice. Polled updates are claimed as a batch as soon as they arrive
(`receive`), before the next poll tells Telegram to forget them. The claim keeps the update's
payload until it is handled: a failed update keeps it with its error for a replay, and so does
one whose process stopped while handling it (`give_up_interrupted`), so nothing is lost.
"""

from __future__ import annotations

import enum
from collections.abc import Awaitable, Callable, Sequence
from datetime import timedelta
from typing import Any

from sqlalchemy import bindparam, delete, or_, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from storage.db import Database
from storage.models import UpdateRecord, UpdateState
from storage.types import utcnow
from storage.upsert import insert_if_absent

# A claim older than this is taken to belong to a process that died while handling it.
STALE_CLAIM = timedelta(minutes=5)
INTERRUPTED = "interrupted: the process handling it stopped before it finished"


class Claim(enum.Enum):
    TAKEN = "taken"  # handle it
    DONE = "done"  # handled already: a redelivery to skip
    BUSY = "busy"  # being handled elsewhere (or by a process that died): ask again later


_LOG = UpdateRecord.__table__
_THIS = (_LOG.c.bot_id == bindparam("bot")) & (_LOG.c.update_id == bindparam("update"))
# Built once: every update runs these, on a Core connection (`Database.write()`).
_RETAKE = (
    update(_LOG)
    .where(
        _THIS,
        or_(
            _LOG.c.state == UpdateState.FAILED,
            (_LOG.c.state == UpdateState.HANDLING) & (_LOG.c.updated_at < bindparam("stale")),
        ),
    )
    .values(state=UpdateState.HANDLING, attempts=_LOG.c.attempts + 1, updated_at=bindparam("now"))
)
_STATE = select(_LOG.c.state).where(_THIS)
_HANDLED = (
    update(_LOG)
    .where(_THIS)
    .values(state=UpdateState.HANDLED, payload=None, error=None, updated_at=bindparam("now"))
)
_FAILED = (
    update(_LOG)
    .where(_THIS)
    .values(state=UpdateState.FAILED, error=bindparam("error"), updated_at=bindparam("now"))
    .returning(_LOG.c.attempts)
)


async def claim(
    database: Database, bot_id: int, update_id: int, payload: dict[str, Any] | None = None
) -> Claim:
    """Claim an update for handling, keeping its payload until it is handled."""
    now = utcnow()
    this = {"bot": bot_id, "update": update_id}
    async with database.write() as connection:
        if await _insert_claim(connection, bot_id, update_id, payload):
            return Claim.TAKEN
        retaken = await connection.execute(
            _RETAKE, {**this, "stale": now - STALE_CLAIM, "now": now}
        )
        if retaken.rowcount:
            return Claim.TAKEN
        state = await connection.scalar(_STATE, this)
        return Claim.DONE if state == UpdateState.HANDLED else Claim.BUSY


async def receive(
    database: Database, bot_id: int, updates: Sequence[tuple[int, dict[str, Any]]]
) -> set[int]:
    """Claim a batch of updates just fetched by polling, in one transaction, before Telegram is
    told it may forget them; returns the ids claimed (the others are known already: handled, or
    being handled)."""
    async with database.write() as connection:
        return {
            update_id
            for update_id, payload in updates
            if await _insert_claim(connection, bot_id, update_id, payload)
        }


async def _insert_claim(
    connection: AsyncConnection, bot_id: int, update_id: int, payload: dict[str, Any] | None
) -> bool:
    """A claim of an update nobody has recorded yet; False when one exists."""
    row = {"bot_id": bot_id, "update_id": update_id, "state": UpdateState.HANDLING}
    return bool(
        await insert_if_absent(
            connection, UpdateRecord, {**row, "payload": payload}, ["bot_id", "update_id"]
        )
    )


async def mark_handled(
    database: Database,
    bot_id: int,
    update_id: int,
    also: Callable[[AsyncConnection], Awaitable[None]] | None = None,
) -> None:
    """Record that the update was handled (its payload and error are dropped), with `also`'s
    writes in the same transaction."""
    async with database.write() as connection:
        params = {"bot": bot_id, "update": update_id, "now": utcnow()}
        await connection.execute(_HANDLED, params)
        if also is not None:
            await also(connection)


async def mark_failed(database: Database, bot_id: int, update_id: int, error: str) -> int:
    """Keep the failed update (its payload is kept since the claim) with its error; returns how
    many times it has been tried."""
    async with database.write() as connection:
        params = {"bot": bot_id, "update": update_id, "error": error, "now": utcnow()}
        attempts = await connection.scalar(_FAILED, params)
        return attempts or 1


async def give_up_interrupted(database: Database, older_than: timedelta = STALE_CLAIM) -> int:
    """Claims older than `older_than` belong to processes that stopped while handling them: keep
    those updates as failed (with their payload) for `/failed` and a replay, and let a
    redelivery take them. Returns how many."""
    async with database.transaction() as session:
        result = await session.execute(
            update(UpdateRecord)
            .where(
                UpdateRecord.state == UpdateState.HANDLING,
                UpdateRecord.updated_at <= utcnow() - older_than,
            )
            .values(state=UpdateState.FAILED, error=INTERRUPTED, updated_at=utcnow())
        )
        return int(result.rowcount or 0)


async def failed_updates(
    database: Database, bot_id: int, limit: int = 100, *, interrupted_only: bool = False
) -> Sequence[UpdateRecord]:
    """Failed updates of a bot, oldest first (`interrupted_only`: those whose process stopped
    while handling them)."""
    query = select(UpdateRecord).where(
        UpdateRecord.bot_id == bot_id, UpdateRecord.state == UpdateState.FAILED
    )
    if interrupted_only:
        query = query.where(UpdateRecord.error == INTERRUPTED)
    async with database.sessions() as session:
        rows = await session.scalars(query.order_by(UpdateRecord.update_id).limit(limit))
        return rows.all()


async def get_record(database: Database, bot_id: int, update_id: int) -> UpdateRecord | None:
    async with database.sessions() as session:
        return await session.get(UpdateRecord, (bot_id, update_id))


async def forget_handled(database: Database, older_than: timedelta) -> int:
    """Drop handled records older than `older_than` (Telegram redelivers within a day)."""
    async with database.transaction() as session:
        result = await session.execute(
            delete(UpdateRecord).where(
                UpdateRecord.state == UpdateState.HANDLED,
                UpdateRecord.updated_at < utcnow() - older_than,
            )
        )
        return int(result.rowcount or 0)
