"""The announcement owed after a case is filed: its cards to the officers routing names and the
department group's copy, and the reporter's confirmation.

Filing commits first and the desk announces after it, then records `announced_at`. A process
killed in between leaves a case filed and unannounced: the clock finds such cases (older than
ANNOUNCE_GRACE, so a filing being announced right now is left alone), claims each with a lease
(two instances never both send it), and announces it. Killed at any point, a case is announced
after the restart, at most once more.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from aiogram.exceptions import TelegramAPIError
from sqlalchemy import or_, select, update

from bot.cases.desk import Desk
from bot.cases.lifecycle import Action, Outcome
from storage.db import Database
from storage.models import Case, CaseEvent, Person
from storage.types import utcnow

log = logging.getLogger(__name__)

ANNOUNCE_GRACE = timedelta(minutes=2)
LEASE = timedelta(minutes=5)
BATCH = 50


async def announce_owed(desk: Desk, now: datetime | None = None) -> int:
    """Announce the filed cases a stopped process left unannounced; returns how many."""
    now = now or utcnow()
    async with desk.database.sessions() as session:
        owed = list(
            await session.scalars(
                select(Case.id)
                .where(
                    Case.announced_at.is_(None),
                    Case.submitted_at < now - ANNOUNCE_GRACE,
                    or_(Case.announce_claimed_at.is_(None), Case.announce_claimed_at < now - LEASE),
                )
                .order_by(Case.submitted_at)
                .limit(BATCH)
            )
        )
    announced = 0
    for case_id in owed:
        if await _claim(desk.database, case_id, now):
            await _announce(desk, case_id)
            announced += 1
    if announced:
        log.warning(
            "%s filed cases were announced late (a process stopped after filing)", announced
        )
    return announced


async def _claim(database: Database, case_id: int, now: datetime) -> bool:
    async with database.transaction() as session:
        result = await session.execute(
            update(Case)
            .where(
                Case.id == case_id,
                Case.announced_at.is_(None),
                or_(Case.announce_claimed_at.is_(None), Case.announce_claimed_at < now - LEASE),
            )
            .values(announce_claimed_at=now)
        )
        return bool(result.rowcount)


async def _announce(desk: Desk, case_id: int) -> None:
    async with desk.database.sessions() as session:
        case = await session.get(Case, case_id)
        event = await session.scalar(
            select(CaseEvent)
            .where(CaseEvent.case_id == case_id, CaseEvent.action == Action.SUBMIT.value)
            .order_by(CaseEvent.id)
            .limit(1)
        )
        reporter = await session.get(Person, case.reporter_id) if case else None
    if case is None or event is None:
        return
    # The cards and the group's copy; `after` records announced_at once they are out.
    await desk.after(Outcome(case, Action.SUBMIT, event))
    if reporter is not None and reporter.reachable and not case.officer_found:
        t = desk.catalogue.translator_for(reporter.language, reporter.tg_language)
        try:
            await desk.bot.send_message(reporter.tg_id, t("report.filed_late", number=case.number))
        except TelegramAPIError as error:
            log.warning("reporter of %s not told it was filed: %s", case.number, error)
