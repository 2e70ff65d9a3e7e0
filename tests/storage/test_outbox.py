"""The outbox on SQLite and PostgreSQL: claims never overlap, a dead sender's claims come back."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from bot.notices import outbox
from storage.db import Database
from storage.models import DeliveryState, Person
from storage.types import utcnow


async def recipients(database: Database, count: int) -> list[Person]:
    async with database.transaction() as session:
        people = [
            Person(tg_id=10_000 + i, name=f"p{i}", reachable=i % 10 != 0) for i in range(count)
        ]
        session.add_all(people)
        await session.flush()
        return people


async def test_concurrent_claims_never_take_the_same_delivery(database: Database) -> None:
    people = await recipients(database, 200)
    notice = await outbox.create_notice(database, None, "通知", people, urgent=False)
    batches = await asyncio.gather(*(outbox.claim(database, 30) for _ in range(8)))
    claimed = [d.id for batch in batches for d in batch]
    assert len(claimed) == len(set(claimed))
    assert len(claimed) == 180  # the 20 known to have blocked the bot are not claimed
    progress = await outbox.progress(database, notice.id)
    assert (progress.total, progress.blocked, progress.remaining) == (200, 20, 180)


async def test_a_dead_senders_claims_come_back(database: Database) -> None:
    people = await recipients(database, 5)
    notice = await outbox.create_notice(database, None, "通知", people, urgent=False)
    first = await outbox.claim(database, 10)
    assert len(first) == 4
    assert await outbox.claim(database, 10) == []  # being sent
    later = utcnow() + outbox.STALE_CLAIM + timedelta(seconds=1)
    again = await outbox.claim(database, 10, now=later)
    assert [d.id for d in again] == [d.id for d in first]
    for delivery in again:
        await outbox.finish(database, delivery.id, DeliveryState.SENT)
    assert await outbox.close_finished(database, [notice.id]) == [notice.id]
    progress = await outbox.progress(database, notice.id)
    assert (progress.sent, progress.remaining) == (4, 0)
