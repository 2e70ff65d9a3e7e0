"""The sender's marks on SQLite and PostgreSQL: never more than the window unwritten (the crash
bound), written half a window at a time while sends are under way, and the rest as soon as none
is."""

from __future__ import annotations

import asyncio

from bot.notices import outbox
from bot.notices.sender import _Marks
from storage.db import Database
from storage.models import DeliveryState, Person

SENT = DeliveryState.SENT


async def claimed(database: Database, count: int) -> tuple[int, list[outbox.Claimed]]:
    async with database.transaction() as session:
        people = [Person(tg_id=30_000 + i, name=f"p{i}") for i in range(count)]
        session.add_all(people)
        await session.flush()
    notice = await outbox.create_notice(database, None, "通知", people, urgent=True)
    return notice.id, await outbox.claim(database, count)


async def sent(database: Database, notice_id: int, marks: _Marks) -> int:
    if marks._writing is not None:  # the write under way, if any
        await asyncio.wait_for(marks._writing, 60)
    return (await outbox.progress(database, notice_id)).sent


async def test_marks_wait_for_half_the_window_while_sends_are_under_way(
    database: Database,
) -> None:
    notice_id, deliveries = await claimed(database, 8)
    marks = _Marks(database, None, limit=8)
    for _ in deliveries:
        await marks.reserve()
    for delivery in deliveries[:3]:
        marks.add(delivery.id, SENT, None)
    assert await sent(database, notice_id, marks) == 0  # 3 of 8, and 5 still being sent
    marks.add(deliveries[3].id, SENT, None)
    assert await sent(database, notice_id, marks) == 4  # half the window
    for delivery in deliveries[4:7]:
        marks.add(delivery.id, SENT, None)
    assert await sent(database, notice_id, marks) == 4
    marks.add(deliveries[7].id, SENT, None)
    assert await sent(database, notice_id, marks) == 8  # nothing else under way: all written


async def test_no_more_sends_than_the_limit_are_unwritten(database: Database) -> None:
    notice_id, deliveries = await claimed(database, 3)
    marks = _Marks(database, None, limit=2)  # the free rate's: each outcome written at once
    await marks.reserve()
    await marks.reserve()
    third = asyncio.create_task(marks.reserve())
    for _ in range(20):
        await asyncio.sleep(0)
    assert not third.done()  # two unwritten: the third send waits
    marks.add(deliveries[0].id, SENT, None)
    await asyncio.wait_for(third, 60)  # the first is written: room for the third
    assert await sent(database, notice_id, marks) == 1
    marks.add(deliveries[1].id, SENT, None)
    marks.add(deliveries[2].id, SENT, None)
    await marks.close()
    assert await sent(database, notice_id, marks) == 3
