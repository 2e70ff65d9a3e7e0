"""The clock's duty job: each period's occurrence created once (a unique key on duty and
period, so two instances never create it twice), its people told; a reminder before the
deadline; a missed one escalated a level up, then another (officer → community lead → street).

The creation, the reminder and each escalation write what they owe (storage.owed) in their own
transaction (the reminder and escalations are claimed with a conditional update, so each goes
out once even with several instances), so a process stopped before sending leaves it to the
clock (`deliver`), as the cases' are.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import date, datetime, timedelta, tzinfo

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from sqlalchemy import select, update

from bot.duties import people
from bot.duties.rhythm import period_of
from bot.texts import Catalogue
from storage import owed as rows
from storage.db import Database
from storage.models import Duty, DutyOccurrence, Owed, Person
from storage.types import utcnow
from storage.upsert import insert_if_absent

log = logging.getLogger(__name__)

REMIND_AT = 0.75  # the share of the allowed time at which the owners are reminded
NEW_OWED = "duty.new"  # the occurrence's owners told it is there
REMINDER_OWED, ESCALATION_OWED = "duty.reminder", "duty.escalation"  # `what`: the level


class DutyWatch:
    """The duty job of the clock, with what it needs to send."""

    def __init__(self, database: Database, bot: Bot, catalogue: Catalogue, tz: tzinfo) -> None:
        self.database = database
        self.bot = bot
        self.catalogue = catalogue
        self.tz = tz

    async def tick(self, now: datetime | None = None) -> int:
        """Create what is due, remind and escalate; returns how many steps were taken."""
        now = now or utcnow()
        return await self.create_due(now) + await self.watch(now)

    async def create_due(self, now: datetime) -> int:
        """This period's occurrence of every active duty, once; its owners are told."""
        async with self.database.sessions() as session:
            duties = list((await session.scalars(select(Duty).where(Duty.active.is_(True)))).all())
        created = 0
        for duty in duties:
            period = period_of(duty, now, self.tz)
            if period is None:
                continue
            if owed := await self._create(duty, period, now):
                created += 1
                await self._deliver_now(owed)
        return created

    async def _create(
        self, duty: Duty, period: tuple[date, datetime, datetime], now: datetime
    ) -> Owed | None:
        """The period's occurrence and the news it owes its owners, in one transaction; None if
        it was there already."""
        start, begins, due = period
        keys = {"duty_id": duty.id, "period_start": start}
        async with self.database.transaction() as session:
            values = {**keys, "starts_at": begins, "due_at": due}
            if not await insert_if_absent(session, DutyOccurrence, values, list(keys)):
                return None
            inserted = await session.execute(select(DutyOccurrence.id).filter_by(**keys))
            return await rows.owe(session, NEW_OWED, inserted.scalar_one(), None, now)

    async def watch(self, now: datetime) -> int:
        async with self.database.sessions() as session:
            rows = (
                await session.execute(
                    select(DutyOccurrence, Duty)
                    .join(Duty, Duty.id == DutyOccurrence.duty_id)
                    .where(DutyOccurrence.done_at.is_(None), DutyOccurrence.escalation_level < 2)
                )
            ).all()
        steps = 0
        for occurrence, duty in rows:
            steps += await self._remind(occurrence, duty, now)
            steps += await self._escalate(occurrence, duty, now)
        return steps

    async def _remind(self, occurrence: DutyOccurrence, duty: Duty, now: datetime) -> int:
        allowed = occurrence.due_at - occurrence.starts_at
        if occurrence.reminded_at or not occurrence.starts_at + allowed * REMIND_AT <= now:
            return 0
        if now >= occurrence.due_at:
            return 0  # late already: the escalation says it
        claim = (DutyOccurrence.reminded_at.is_(None),)
        owed = await self._claim(occurrence.id, claim, (REMINDER_OWED, None), now, reminded_at=now)
        if owed is None:
            return 0
        await self._deliver_now(owed)
        return 1

    async def _escalate(self, occurrence: DutyOccurrence, duty: Duty, now: datetime) -> int:
        levels = await people.levels_up(self.database, duty)
        step = timedelta(hours=duty.deadline_hours)
        reached = sum(1 for n in range(len(levels)) if now >= occurrence.due_at + step * n)
        done = 0
        for level in range(occurrence.escalation_level + 1, reached + 1):
            claim = (DutyOccurrence.escalation_level < level,)
            owes = (ESCALATION_OWED, level)
            if owed := await self._claim(occurrence.id, claim, owes, now, escalation_level=level):
                await self._deliver_now(owed)
                done += 1
        return done

    async def _deliver_now(self, owed: Owed) -> None:
        await self.deliver(owed)
        await rows.settle(self.database, Owed, owed.id)

    async def deliver(self, owed: Owed, _now: datetime | None = None) -> None:
        """Send what a new occurrence, a claimed reminder or an escalation owes (again, after a
        stop)."""
        async with self.database.sessions() as session:
            occurrence = await session.get(DutyOccurrence, owed.subject_id)
            duty = await session.get(Duty, occurrence.duty_id) if occurrence else None
        if occurrence is None or duty is None:
            return
        if owed.kind == NEW_OWED:
            if occurrence.done_at is None:  # done before the news went out: nothing to say
                owners = await people.owners(self.database, duty)
                await self._tell(owners, "duties.new", duty, occurrence.due_at)
            return
        if owed.kind == REMINDER_OWED:
            owners = await people.owners(self.database, duty)
            await self._tell(owners, "duties.reminder", duty, occurrence.due_at)
            return
        levels = await people.levels_up(self.database, duty)
        level = owed.what or 0
        if 0 < level <= len(levels):
            await self._tell(levels[level - 1], "duties.escalated", duty, occurrence.due_at)

    async def _claim(
        self,
        occurrence_id: int,
        where: Iterable[object],
        owes: tuple[str, int | None],
        now: datetime,
        **values: object,
    ) -> Owed | None:
        """Take the step and owe its message, in one transaction; None if taken already."""
        async with self.database.transaction() as session:
            result = await session.execute(
                update(DutyOccurrence)
                .where(
                    DutyOccurrence.id == occurrence_id,
                    DutyOccurrence.done_at.is_(None),
                    *where,  # type: ignore[arg-type]
                )
                .values(**values)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                return None
            return await rows.owe(session, owes[0], occurrence_id, owes[1], now)

    async def _tell(self, to: list[Person], key: str, duty: Duty, due: datetime) -> None:
        when = due.astimezone(self.tz).strftime("%m-%d %H:%M")
        for person in to:
            if not person.reachable:
                continue
            t = self.catalogue.translator_for(person.language, person.tg_language)
            try:
                await self.bot.send_message(person.tg_id, t(key, name=duty.name, due=when))
            except TelegramAPIError as error:
                log.warning("duty %s: person %s not told: %s", duty.id, person.id, error)
