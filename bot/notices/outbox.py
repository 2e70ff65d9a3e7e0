"""The outbox of notices: one delivery row per recipient, claimed by senders.

A claim marks rows `sending` with the time; a sender that dies leaves them so, and after
`STALE_CLAIM` they are claimed again: nobody is skipped, and at most the messages in flight at
the crash can repeat. On PostgreSQL claims use SKIP LOCKED, so two instances never take the same
row; on SQLite the claim runs in one write transaction.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from sqlalchemy import Select, case, exists, func, insert, literal, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import Delivery, DeliveryState, Notice, Person
from storage.types import utcnow

STALE_CLAIM = timedelta(minutes=2)
D = DeliveryState
SENDING, PAUSED, CANCELLED, DONE = "sending", "paused", "cancelled", "done"


class Claimed(NamedTuple):
    """A delivery claimed to be sent (a plain row: a batch of them costs no ORM objects)."""

    id: int
    notice_id: int
    person_id: int
    chat_id: int


@dataclass(frozen=True)
class Progress:
    total: int
    sent: int
    failed: int
    blocked: int

    @property
    def remaining(self) -> int:
        return self.total - self.sent - self.failed - self.blocked


async def create_notice(
    database: Database, author_id: int | None, text: str, people: Sequence[Person], urgent: bool
) -> Notice:
    """A plain notice to `people`, in its own transaction."""
    recipients = select(Person).where(Person.id.in_([person.id for person in people]))
    async with database.transaction() as session:
        return await add_notice(
            session, Notice(author_id=author_id, text=text, urgent=urgent), recipients
        )


async def add_notice(
    session: AsyncSession, notice: Notice, recipients: Select[tuple[Person]]
) -> Notice:
    """`notice` and one delivery per recipient, written by the database from the query (no
    person is loaded here, so 100,000 recipients cost no memory); people known to have blocked
    the bot are counted blocked at once."""
    notice.status = SENDING
    session.add(notice)
    await session.flush()
    people = recipients.subquery()
    state = case(
        (people.c.reachable.is_(True), literal(D.PENDING.value)), else_=literal(D.BLOCKED.value)
    )
    rows = select(literal(notice.id), people.c.id, people.c.tg_id, state, literal(0)).order_by(
        people.c.id
    )
    written = await session.execute(
        insert(Delivery).from_select(
            ["notice_id", "person_id", "chat_id", "state", "attempts"], rows
        )
    )
    notice.total = written.rowcount  # type: ignore[attr-defined]
    return notice


@dataclass(frozen=True)
class Letter:
    """A notice to one person (a reminder in their own language)."""

    person_id: int
    chat_id: int
    reachable: bool
    text: str


async def add_letters(session: AsyncSession, letters: Sequence[Letter]) -> list[int]:
    """One notice and its one delivery per letter, in a few statements whatever their number
    (what a daily tick queues by the hundred); returns the notices' ids in the letters' order."""
    if not letters:
        return []
    ids = list(
        (
            await session.scalars(
                insert(Notice).returning(Notice.id, sort_by_parameter_order=True),
                [{"text": x.text, "status": SENDING, "total": 1} for x in letters],
            )
        ).all()
    )
    await session.execute(
        insert(Delivery),
        [
            {
                "notice_id": notice_id,
                "person_id": x.person_id,
                "chat_id": x.chat_id,
                "state": D.PENDING if x.reachable else D.BLOCKED,
                "attempts": 0,
            }
            for notice_id, x in zip(ids, letters, strict=True)
        ],
    )
    return ids


async def claim(
    database: Database,
    limit: int,
    now: datetime | None = None,
    *,
    stale_after: timedelta = STALE_CLAIM,
    urgent_only: bool = False,
) -> list[Claimed]:
    """Take up to `limit` deliveries to send (pending, or claimed by a sender that died), those
    of urgent notices first; paused and cancelled notices wait; `urgent_only` during quiet
    hours."""
    now = now or utcnow()
    # Two queries, not one with OR: each walks its state's index in id order and stops at
    # `limit`, where an OR sorted every pending row at every claim (50 ms at 100,000).
    stale = (Delivery.state == D.SENDING) & (Delivery.claimed_at < now - stale_after)
    passes = (True,) if urgent_only else (True, False)
    async with database.transaction() as session:
        for urgent in passes:
            notices = select(Notice.id).where(Notice.status == SENDING)
            if urgent:
                notices = notices.where(Notice.urgent.is_(True))
            ids: list[int] = []
            for due in (stale, Delivery.state == D.PENDING):
                query = (
                    select(Delivery.id)
                    .where(due, Delivery.notice_id.in_(notices))
                    .order_by(Delivery.id)
                    .limit(limit - len(ids))
                )
                if not database.is_sqlite:
                    query = query.with_for_update(skip_locked=True)
                ids += (await session.scalars(query)).all()
                if len(ids) >= limit:
                    break
            if ids:
                break
        else:
            return []
        await session.execute(
            update(Delivery)
            .where(Delivery.id.in_(ids))
            .values(state=D.SENDING, claimed_at=now, attempts=Delivery.attempts + 1)
        )
        rows = await session.execute(
            select(Delivery.id, Delivery.notice_id, Delivery.person_id, Delivery.chat_id)
            .where(Delivery.id.in_(ids))
            .order_by(Delivery.id)
        )
        return [Claimed(*row) for row in rows.all()]


async def finish(
    database: Database, delivery_id: int, state: DeliveryState, error: str | None = None
) -> None:
    async with database.transaction() as session:
        await session.execute(
            update(Delivery)
            .where(Delivery.id == delivery_id)
            .values(state=state, error=error, sent_at=utcnow() if state == D.SENT else None)
        )


Outcome = tuple[int, DeliveryState, str | None]  # a delivery's id, its new state, the error


async def finish_many(database: Database, outcomes: Sequence[Outcome]) -> None:
    """Mark many deliveries at once, in one transaction: one statement for each outcome (sent
    is one, whatever the count), rather than a transaction a message."""
    groups: dict[tuple[DeliveryState, str | None], list[int]] = {}
    for delivery_id, state, error in outcomes:
        groups.setdefault((state, error), []).append(delivery_id)
    if not groups:
        return
    now = utcnow()
    async with database.transaction() as session:
        for (state, error), ids in groups.items():
            await session.execute(
                update(Delivery)
                .where(Delivery.id.in_(ids))
                .values(state=state, error=error, sent_at=now if state == D.SENT else None)
            )


async def progress(database: Database, notice_id: int) -> Progress:
    async with database.sessions() as session:
        rows = dict(
            (
                await session.execute(
                    select(Delivery.state, func.count())
                    .where(Delivery.notice_id == notice_id)
                    .group_by(Delivery.state)
                )
            ).all()
        )
    total = sum(rows.values())
    return Progress(total, rows.get(D.SENT, 0), rows.get(D.FAILED, 0), rows.get(D.BLOCKED, 0))


async def close_finished(database: Database, notice_ids: Iterable[int]) -> list[int]:
    """Mark those of `notice_ids` with nothing left to send as done; returns their ids."""
    open_states = [D.PENDING, D.SENDING]
    done = []
    async with database.transaction() as session:
        for notice_id in notice_ids:
            left = exists().where(Delivery.notice_id == notice_id, Delivery.state.in_(open_states))
            result = await session.execute(
                update(Notice)
                .where(Notice.id == notice_id, Notice.status == SENDING, ~left)
                .values(status=DONE, finished_at=utcnow())
            )
            if result.rowcount:  # type: ignore[attr-defined]
                done.append(notice_id)
    return done
