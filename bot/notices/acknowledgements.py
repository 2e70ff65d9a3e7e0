"""Acknowledgements of notices that ask for one, and the one reminder to those who have not
acknowledged after ACK_REMINDER_AFTER (claimed once, so several instances send one)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import exists, select, update

from bot.errors import PoliteError
from bot.notices import outbox
from storage.db import Database
from storage.models import Delivery, DeliveryState, Notice, Person
from storage.types import utcnow

ACK_REMINDER_AFTER = timedelta(hours=24)


async def acknowledge(database: Database, notice_id: int, person: Person) -> bool:
    """The person read the notice; False when they had already said so. Only a recipient of
    the notice may acknowledge it (the button's notice id is not trusted)."""
    async with database.transaction() as session:
        delivery = await session.scalar(
            select(Delivery).where(Delivery.notice_id == notice_id, Delivery.person_id == person.id)
        )
        if delivery is None:
            raise PoliteError("error.not_allowed")
        if delivery.acked_at is not None:
            return False
        delivery.acked_at = utcnow()
        return True


async def remind_unacknowledged(
    database: Database, now: datetime | None = None, after: timedelta = ACK_REMINDER_AFTER
) -> list[int]:
    """One reminder notice per acknowledged notice, `after` its run, to those who received it
    and have not acknowledged. Returns the reminders' ids."""
    now = now or utcnow()
    async with database.sessions() as session:
        due = (
            await session.scalars(
                select(Notice.id).where(
                    Notice.ack.is_(True),
                    Notice.reminder_of.is_(None),
                    Notice.reminded.is_(False),
                    Notice.created_at <= now - after,
                )
            )
        ).all()
    made = []
    for notice_id in due:
        if (reminder := await _remind(database, notice_id)) is not None:
            made.append(reminder)
    return made


async def _remind(database: Database, notice_id: int) -> int | None:
    async with database.transaction() as session:
        claimed = await session.execute(
            update(Notice)
            .where(Notice.id == notice_id, Notice.reminded.is_(False))
            .values(reminded=True)
        )
        if claimed.rowcount != 1:  # type: ignore[attr-defined]
            return None
        original = await session.get(Notice, notice_id)
        assert original is not None
        silent = select(Delivery.person_id).where(
            Delivery.notice_id == notice_id,
            Delivery.state == DeliveryState.SENT,
            Delivery.acked_at.is_(None),
        )
        if not await session.scalar(select(exists(silent))):
            return None
        reminder = Notice(
            author_id=original.author_id,
            plan_id=original.plan_id,
            reminder_of=original.id,
            text=original.text,
            urgent=original.urgent,
            ack=True,
            media_kind=original.media_kind,
            media_file_id=original.media_file_id,
        )
        recipients = select(Person).where(Person.id.in_(silent))
        return (await outbox.add_notice(session, reminder, recipients)).id


async def unacknowledged(database: Database, notice_id: int, limit: int = 30) -> list[str]:
    """Names of recipients who have not acknowledged yet."""
    async with database.sessions() as session:
        rows = await session.execute(
            select(Person.name, Person.tg_id)
            .join(Delivery, Delivery.person_id == Person.id)
            .where(Delivery.notice_id == notice_id, Delivery.acked_at.is_(None))
            .order_by(Person.id)
            .limit(limit)
        )
        return [name or f"id {tg_id}" for name, tg_id in rows.all()]
