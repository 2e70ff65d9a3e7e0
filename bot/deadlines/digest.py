"""The 08:30 digest: each officer their overdue and due-today cases, each lead their community's.

Claimed once per day in `job_runs`, so with several instances only one sends it."""

from __future__ import annotations

import logging
from datetime import date, datetime, tzinfo

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError
from sqlalchemy import select

from bot.cases.work_queue import Entry, queue
from bot.telegram.session import MESSAGE_LIMIT
from bot.texts import Catalogue, Translator
from storage.db import Database
from storage.models import JobRun, Person, Role
from storage.types import utcnow
from storage.upsert import insert_if_absent

log = logging.getLogger(__name__)


async def claim(database: Database, name: str, key: str) -> bool:
    async with database.transaction() as session:
        return await insert_if_absent(session, JobRun, {"name": name, "key": key}, ["name", "key"])


def digest_text(t: Translator, entries: list[Entry], today: datetime, tz: tzinfo) -> str | None:
    """The digest of one person, or None when nothing is overdue or due today."""
    overdue = [e for e in entries if e.overdue]
    due_today = [e for e in entries if not e.overdue and _local_day(e, tz) == today.date()]
    if not overdue and not due_today:
        return None
    lines = [t("digest.title", date=today.strftime("%m-%d"))]
    if overdue:
        lines.append(t("digest.overdue", count=len(overdue)))
        lines += [t("digest.line", number=e.case.number or "") for e in overdue]
    if due_today:
        lines.append(t("digest.due_today", count=len(due_today)))
        lines += [t("digest.line", number=e.case.number or "") + _hour(e, tz) for e in due_today]
    return "\n".join(lines)[:MESSAGE_LIMIT]


def _local_day(entry: Entry, tz: tzinfo) -> date | None:
    return entry.due.astimezone(tz).date() if entry.due else None


def _hour(entry: Entry, tz: tzinfo) -> str:
    return entry.due.astimezone(tz).strftime(" %H:%M") if entry.due else ""


async def daily_digest(
    database: Database, bot: Bot, catalogue: Catalogue, tz: tzinfo, now: datetime | None = None
) -> int:
    """Send today's digests (once per day); returns how many people got one."""
    now = now or utcnow()
    today = now.astimezone(tz)
    if not await claim(database, "digest", today.date().isoformat()):
        return 0
    async with database.sessions() as session:
        staff = (
            await session.scalars(
                select(Person).where(
                    Person.role.in_([Role.OFFICER, Role.LEAD]), Person.reachable.is_(True)
                )
            )
        ).all()
    sent = 0
    for person in staff:
        t = catalogue.translator_for(person.language, person.tg_language)
        text = digest_text(t, await queue(database, person, now), today, tz)
        if text is None:
            continue
        try:
            await bot.send_message(person.tg_id, text)
            sent += 1
        except TelegramAPIError as error:
            log.warning("digest not sent to %s: %s", person.id, error)
    return sent
