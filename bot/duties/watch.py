"""The clock's duty job: each period's occurrence created once (a unique key on duty and
period, so two instances never create it twice), its people told; a reminder before the
deadline; a missed one escalated a level up, then another (officer → community lead → street).

The reminder and each escalation are claimed with a conditional update, so each goes out once
even with several instances. A process stopped between the claim and the sending leaves that
message unsent (at most once, unlike the cases' owed messages).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from datetime import datetime, timedelta, tzinfo

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from sqlalchemy import select, update

from bot.duties import people
from bot.duties.rhythm import period_of
from bot.texts import Catalogue
from storage.db import Database
from storage.models import Duty, DutyOccurrence, Person
from storage.types import utcnow
from storage.upsert import insert_if_absent

log = logging.getLogger(__name__)

REMIND_AT = 0.75  # the share of the allowed time at which the owners are reminded


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
            start, begins, due = period
            values = {"duty_id": duty.id, "period_start": start, "starts_at": begins}
            async with self.database.transaction() as session:
                inserted = await insert_if_absent(
                    session, DutyOccurrence, {**values, "due_at": due}, ["duty_id", "period_start"]
                )
            if inserted:
                created += 1
                await self._tell(await people.owners(self.database, duty), "duties.new", duty, due)
        return created

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
        if not await self._claim(occurrence.id, claim, reminded_at=now):
            return 0
        owners = await people.owners(self.database, duty)
        await self._tell(owners, "duties.reminder", duty, occurrence.due_at)
        return 1

    async def _escalate(self, occurrence: DutyOccurrence, duty: Duty, now: datetime) -> int:
        levels = await people.levels_up(self.database, duty)
        step = timedelta(hours=duty.deadline_hours)
        reached = sum(1 for n in range(len(levels)) if now >= occurrence.due_at + step * n)
        done = 0
        for level in range(occurrence.escalation_level + 1, reached + 1):
            claim = (DutyOccurrence.escalation_level < level,)
            if await self._claim(occurrence.id, claim, escalation_level=level):
                await self._tell(levels[level - 1], "duties.escalated", duty, occurrence.due_at)
                done += 1
        return done

    async def _claim(self, occurrence_id: int, where: Iterable[object], **values: object) -> bool:
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
            return bool(result.rowcount)  # type: ignore[attr-defined]

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
