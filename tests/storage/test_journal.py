"""The update journal: claims, redeliveries, failures kept with their payload."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from storage import updates as journal
from storage.db import Database
from storage.models import UpdateRecord, UpdateState
from storage.types import utcnow

BOT = 42


async def test_an_update_is_claimed_once(database: Database) -> None:
    assert await journal.claim(database, BOT, 1)
    assert not await journal.claim(database, BOT, 1)  # being handled
    await journal.mark_handled(database, BOT, 1)
    assert not await journal.claim(database, BOT, 1)  # handled: a redelivery is skipped
    assert await journal.claim(database, BOT + 1, 1)  # another bot's update 1 is another update


async def test_a_failed_update_is_kept_and_can_be_claimed_again(database: Database) -> None:
    assert await journal.claim(database, BOT, 7)
    payload = {"update_id": 7, "message": {"text": "你好"}}
    attempts = await journal.mark_failed(database, BOT, 7, payload, "ValueError: boom")
    assert attempts == 1
    failed = await journal.failed_updates(database, BOT)
    assert [(r.update_id, r.payload, r.error) for r in failed] == [(7, payload, "ValueError: boom")]
    assert await journal.claim(database, BOT, 7)
    assert await journal.mark_failed(database, BOT, 7, payload, "again") == 2
    assert await journal.claim(database, BOT, 7)
    await journal.mark_handled(database, BOT, 7)
    record = await journal.get_record(database, BOT, 7)
    assert record is not None
    assert (record.state, record.payload, record.attempts) == (UpdateState.HANDLED, None, 3)
    assert await journal.failed_updates(database, BOT) == []


async def test_a_stale_claim_of_a_dead_process_is_taken_over(database: Database) -> None:
    assert await journal.claim(database, BOT, 9)
    async with database.transaction() as session:
        await session.execute(
            update(UpdateRecord).values(updated_at=utcnow() - journal.STALE_CLAIM - timedelta(1))
        )
    assert await journal.claim(database, BOT, 9)


async def test_old_handled_records_are_forgotten(database: Database) -> None:
    for update_id in (1, 2):
        await journal.claim(database, BOT, update_id)
        await journal.mark_handled(database, BOT, update_id)
    await journal.claim(database, BOT, 3)  # still handling: kept
    async with database.transaction() as session:
        await session.execute(update(UpdateRecord).values(updated_at=utcnow() - timedelta(days=3)))
    assert await journal.forget_handled(database, timedelta(days=2)) == 2
    assert await journal.get_record(database, BOT, 3) is not None
