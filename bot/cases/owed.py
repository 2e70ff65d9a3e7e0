"""What the bot owes people after a change of a case, and its delivery after a stop.

A lifecycle action writes, in its own transaction, a `case_owed` row held by the process doing
it (see `lifecycle.apply`); the desk sends what the action owes (the reporter's and followers'
news, the cards' edits, new cards, relays) and then marks the row done. The clock's reminders
and escalations do the same with rows of their own (`bot.deadlines.escalation`).

A process killed in between leaves its row held. Once the hold is older than LEASE, the clock of
any instance takes it over (one conditional update, so two instances never both take it) and
delivers it again. Killed at any point, what a change owes goes out after a restart, at most once
more; a new card is not sent again to a chat that holds the case's card already, and a filing's
confirmation not to a reporter who got it (`reporter_told`), so of a filing's messages only the
one in flight at the stop can repeat. The hold and the take-over are storage.owed's, which dogs,
duties and fires use too (their rows are `owed`; their deliverers are wired in app.owed).
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from aiogram.exceptions import TelegramAPIError
from sqlalchemy import update

from bot.cases.lifecycle import Action, Outcome, audience
from storage import owed as rows
from storage.db import Database
from storage.models import Case, CaseEvent, CaseOwed, Person
from storage.types import utcnow

if TYPE_CHECKING:
    from bot.cases.desk import Desk

log = logging.getLogger(__name__)

# Longer than any delivery takes, waits for Telegram's 429s included (bot.telegram.session).
LEASE = timedelta(minutes=5)


async def settle(database: Database, owed_id: int) -> None:
    """What the row owed has gone out."""
    await rows.settle(database, CaseOwed, owed_id)


async def reporter_told(database: Database, owed_id: int) -> None:
    """A filing's reporter got its confirmation: a delivery after a stop does not repeat it."""
    async with database.transaction() as session:
        await session.execute(
            update(CaseOwed).where(CaseOwed.id == owed_id).values(reporter_told_at=utcnow())
        )


async def take_overdue(
    database: Database, kind: str, now: datetime, lease: timedelta = LEASE
) -> list[CaseOwed]:
    """Rows of `kind` held longer than `lease` (their holder stopped before delivering them),
    each now held by the caller (oldest first, at most BATCH)."""
    return await rows.take_overdue(database, CaseOwed, now, lease, CaseOwed.kind == kind)


async def deliver_overdue(desk: Desk, now: datetime | None = None, lease: timedelta = LEASE) -> int:
    """Deliver what lifecycle actions owe and a stopped process left undelivered; returns how
    many actions."""
    delivered = 0
    for owed in await take_overdue(desk.database, CaseOwed.ACTION, now or utcnow(), lease):
        outcome = await _outcome(desk.database, owed)
        if outcome is None:  # the case is gone (a deleted draft): nothing is owed
            await settle(desk.database, owed.id)
            continue
        await desk.after(outcome, outcome.event.actor_id, late=True)
        if outcome.action is Action.SUBMIT and owed.reporter_told_at is None:
            await _tell_reporter_filed(desk, outcome.case)
        delivered += 1
    if delivered:
        log.warning("%s case actions were delivered late (a process stopped after them)", delivered)
    return delivered


async def _outcome(database: Database, owed: CaseOwed) -> Outcome | None:
    async with database.sessions() as session:
        event = await session.get(CaseEvent, owed.event_id) if owed.event_id else None
        case = await session.get(Case, owed.case_id)
        if event is None or case is None:
            return None
        action = Action(event.action)
        return Outcome(case, action, event, await audience(session, case, action), owed)


async def _tell_reporter_filed(desk: Desk, case: Case) -> None:
    """The reporter may not have seen the confirmation of a filing the process stopped in."""
    if case.officer_found:
        return
    async with desk.database.sessions() as session:
        reporter = await session.get(Person, case.reporter_id)
    if reporter is None or not reporter.reachable:
        return
    t = desk.catalogue.translator_for(reporter.language, reporter.tg_language)
    try:
        await desk.bot.send_message(reporter.tg_id, t("report.filed_late", number=case.number))
    except TelegramAPIError as error:
        log.warning("reporter of %s not told it was filed: %s", case.number, error)
