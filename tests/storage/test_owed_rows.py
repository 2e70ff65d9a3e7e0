"""Owed rows (storage.owed): written in the change's transaction, held by its process; once the
hold is older than the lease, one instance takes each over (one conditional update), never two;
a settled row is taken by nobody."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from storage import owed
from storage.db import Database
from storage.models import Owed

LEASE = timedelta(minutes=5)
T0 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
LATER = T0 + LEASE + timedelta(minutes=1)


async def _owe(database: Database, kind: str, subject_id: int, what: int | None = None) -> Owed:
    async with database.transaction() as session:
        return await owed.owe(session, kind, subject_id, what, now=T0)


async def test_a_row_past_its_lease_is_taken_over_once_and_settled_for_good(
    database: Database,
) -> None:
    row = await _owe(database, "dog.review", 7, 3)
    await _owe(database, "duty.reminder", 8)  # another kind: not this deliverer's
    assert await owed.take_owed(database, "dog.review", T0 + LEASE, LEASE) == []  # still held
    [taken] = await owed.take_owed(database, "dog.review", LATER, LEASE)
    assert (taken.id, taken.subject_id, taken.what) == (row.id, 7, 3)
    assert taken.claimed_at == LATER
    # The new holder holds it for a lease of its own.
    assert await owed.take_owed(database, "dog.review", LATER + LEASE, LEASE) == []
    await owed.settle(database, Owed, row.id)
    assert await owed.take_owed(database, "dog.review", LATER + 10 * LEASE, LEASE) == []


async def test_two_instances_never_take_the_same_row(database: Database) -> None:
    rows = [await _owe(database, "fire.escalation", n) for n in range(12)]
    other = Database(database.url)
    try:
        first, second = await asyncio.gather(
            owed.take_owed(database, "fire.escalation", LATER, LEASE),
            owed.take_owed(other, "fire.escalation", LATER, LEASE),
        )
    finally:
        await other.dispose()
    mine, theirs = {row.id for row in first}, {row.id for row in second}
    assert not mine & theirs  # never both
    assert mine | theirs == {row.id for row in rows}  # and none left behind
