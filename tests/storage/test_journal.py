"""The update journal: claims, redeliveries, failures kept with their payload."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update

from storage import updates as journal
from storage.db import Database
from storage.models import UpdateRecord, UpdateState
from storage.types import utcnow
from storage.updates import Claim

BOT = 42


PAYLOAD = {"update_id": 7, "message": {"text": "你好"}}


async def test_an_update_is_claimed_once(database: Database) -> None:
    assert await journal.claim(database, BOT, 1) is Claim.TAKEN
    assert await journal.claim(database, BOT, 1) is Claim.BUSY  # being handled
    await journal.mark_handled(database, BOT, 1)
    assert await journal.claim(database, BOT, 1) is Claim.DONE  # a redelivery is skipped
    assert await journal.claim(database, BOT + 1, 1) is Claim.TAKEN  # another bot's update 1


async def test_a_failed_update_is_kept_and_can_be_claimed_again(database: Database) -> None:
    assert await journal.claim(database, BOT, 7, PAYLOAD) is Claim.TAKEN
    attempts = await journal.mark_failed(database, BOT, 7, "ValueError: boom")
    assert attempts == 1
    failed = await journal.failed_updates(database, BOT)
    assert [(r.update_id, r.payload, r.error) for r in failed] == [(7, PAYLOAD, "ValueError: boom")]
    assert await journal.claim(database, BOT, 7, PAYLOAD) is Claim.TAKEN
    assert await journal.mark_failed(database, BOT, 7, "again") == 2
    assert await journal.claim(database, BOT, 7, PAYLOAD) is Claim.TAKEN
    await journal.mark_handled(database, BOT, 7)
    record = await journal.get_record(database, BOT, 7)
    assert record is not None
    assert (record.state, record.payload, record.attempts) == (UpdateState.HANDLED, None, 3)
    assert await journal.failed_updates(database, BOT) == []


async def _age_claims(database: Database) -> None:
    async with database.transaction() as session:
        await session.execute(
            update(UpdateRecord).values(updated_at=utcnow() - journal.STALE_CLAIM - timedelta(1))
        )


async def test_a_stale_claim_of_a_dead_process_is_taken_over(database: Database) -> None:
    assert await journal.claim(database, BOT, 9) is Claim.TAKEN
    await _age_claims(database)
    assert await journal.claim(database, BOT, 9) is Claim.TAKEN


async def test_an_interrupted_update_is_kept_as_failed_with_its_payload(
    database: Database,
) -> None:
    """A process died while handling update 7: after STALE_CLAIM it is a failed update, with
    the payload the claim kept, for /failed and a replay. Fresh claims are left alone."""
    assert await journal.claim(database, BOT, 7, PAYLOAD) is Claim.TAKEN
    await _age_claims(database)
    assert await journal.claim(database, BOT, 8, PAYLOAD) is Claim.TAKEN
    assert await journal.give_up_interrupted(database) == 1
    failed = await journal.failed_updates(database, BOT)
    assert [(r.update_id, r.payload, r.error) for r in failed] == [
        (7, PAYLOAD, journal.INTERRUPTED)
    ]
    assert await journal.give_up_interrupted(database) == 0
    assert await journal.claim(database, BOT, 7, PAYLOAD) is Claim.TAKEN  # a redelivery takes it


async def test_old_handled_records_are_forgotten(database: Database) -> None:
    for update_id in (1, 2):
        await journal.claim(database, BOT, update_id)
        await journal.mark_handled(database, BOT, update_id)
    await journal.claim(database, BOT, 3)  # still handling: kept
    async with database.transaction() as session:
        await session.execute(update(UpdateRecord).values(updated_at=utcnow() - timedelta(days=3)))
    assert await journal.forget_handled(database, timedelta(days=2)) == 2
    assert await journal.get_record(database, BOT, 3) is not None
