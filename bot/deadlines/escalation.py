"""Deadlines watched by the clock: reminders to the officer at 50% and 90% of the time, then the
case climbs to the community lead past its deadline and to the street admins past twice it.

Each step is claimed with a conditional update (escalation_level < step), so two instances on
PostgreSQL never send the same reminder or escalation twice; the claim writes what the step owes
(bot.cases.owed), so a process that stops before sending it leaves it to the clock. Quiet hours
hold the non-urgent ones until morning; urgent cases ignore them. Escalation is not a status: it
is an audit event.
"""

from __future__ import annotations

import enum
import logging
import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta, tzinfo

from sqlalchemy import select, update

from bot.cases import owed
from bot.cases.desk import Desk
from bot.places import routing
from bot.timing.quiet_hours import in_quiet_hours
from storage.db import Database
from storage.models import Case, CaseEvent, CaseOwed, CaseStatus, Category, Person, Role
from storage.types import utcnow

log = logging.getLogger(__name__)


class Step(enum.IntEnum):
    REMIND_HALF = 1
    REMIND_LATE = 2
    TO_LEAD = 3
    TO_STREET = 4


# The share of the allowed time at which each step is due.
DUE_AT = {Step.REMIND_HALF: 0.5, Step.REMIND_LATE: 0.9, Step.TO_LEAD: 1.0, Step.TO_STREET: 2.0}


@dataclass(frozen=True)
class Watch:
    status: CaseStatus
    start: str  # the attribute the clock starts from
    due: str  # the deadline attribute


WATCHES = (
    Watch(CaseStatus.NEW, "submitted_at", "accept_due_at"),
    Watch(CaseStatus.ACCEPTED, "accepted_at", "resolve_due_at"),
)


def step_due(start: datetime, due: datetime, now: datetime) -> Step | None:
    """The highest step whose moment has come (pure: tested with a controllable clock)."""
    allowed = (due - start).total_seconds()
    if allowed <= 0:
        return Step.TO_STREET if now >= due else None
    share = (now - start).total_seconds() / allowed
    reached = [step for step, at in DUE_AT.items() if share >= at]
    return max(reached) if reached else None


async def sla_tick(
    database: Database,
    desk: Desk,
    quiet: tuple[time, time] | None,
    tz: tzinfo,
    now: datetime | None = None,
) -> int:
    """One pass of the clock; returns how many reminders and escalations were sent."""
    now = now or utcnow()
    quiet_now = in_quiet_hours(now, quiet, tz)
    done = 0
    for watch in WATCHES:
        async with database.sessions() as session:
            rows = (
                await session.execute(
                    select(Case, Category)
                    .join(Category, Category.id == Case.category_id)
                    .where(Case.status == watch.status, Case.escalation_level < Step.TO_STREET)
                )
            ).all()
        for case, category in rows:
            if quiet_now and not (case.urgent or category.urgent):
                continue
            start, due = getattr(case, watch.start), getattr(case, watch.due)
            step = step_due(start, due, now) if start and due else None
            for taken in steps_to_take(step, case.escalation_level):
                if owed_row := await _claim(database, case, watch, taken):
                    await _act(database, desk, case, owed_row)
                    done += 1
    return done


def steps_to_take(reached: Step | None, level: int) -> list[Step]:
    """The steps a case at `level` takes now that `reached` has come: a reminder whose moment
    is past is skipped, an escalation never (a clock that comes late past twice the deadline
    still tells the lead before the street)."""
    if reached is None or reached <= level:
        return []
    if reached < Step.TO_LEAD:
        return [reached]
    return [step for step in (Step.TO_LEAD, Step.TO_STREET) if level < step <= reached]


async def _claim(database: Database, case: Case, watch: Watch, step: Step) -> CaseOwed | None:
    """Take the step (the case's level rises to it) and owe its messages, in one transaction."""
    phase = "accept" if watch.status == CaseStatus.NEW else "resolve"
    async with database.transaction() as session:
        result = await session.execute(
            update(Case)
            .where(
                Case.id == case.id,
                Case.status == watch.status,
                Case.escalation_level < step,
            )
            .values(escalation_level=step)
        )
        if not result.rowcount:
            return None
        if step >= Step.TO_LEAD:
            level = "lead" if step == Step.TO_LEAD else "street"
            session.add(
                CaseEvent(
                    case_id=case.id,
                    action="escalate",
                    from_status=watch.status.value,
                    to_status=watch.status.value,
                    note=f"{phase} overdue: to {level}",
                )
            )
        owed_row = CaseOwed(case_id=case.id, kind=CaseOwed.WATCH, step=int(step), phase=phase)
        session.add(owed_row)
        await session.flush()
        return owed_row


ESCALATION_NOTE = re.compile(r"^(accept|resolve) overdue: to (lead|street)$")


def escalation_text_key(note: str | None) -> str | None:
    """The text that says an escalation event in words (its note is kept as a code in the
    audit trail, e.g. "accept overdue: to lead"); None for a note that is not one."""
    match = ESCALATION_NOTE.match(note or "")
    return f"event.escalate_{match[1]}_{match[2]}" if match else None


async def _act(database: Database, desk: Desk, case: Case, owed_row: CaseOwed) -> None:
    """Send what a step owes, then mark it done."""
    step, phase = Step(owed_row.step), owed_row.phase
    if step in (Step.REMIND_HALF, Step.REMIND_LATE):
        people = await _officers(database, case)
        await desk.tell_staff(people, case, f"desk.reminder_{phase}")
    else:
        to_lead = step == Step.TO_LEAD
        people = await _leads(database, case) if to_lead else await _admins(database)
        await desk.tell_staff(people, case, f"desk.escalated_{phase}", with_card=True)
        level = "lead" if to_lead else "street"
        await desk.tell_group(case, f"desk.escalated_group_{phase}_{level}")
    await owed.settle(database, owed_row.id)


async def deliver_overdue(
    database: Database, desk: Desk, now: datetime | None = None, lease: timedelta = owed.LEASE
) -> int:
    """Send the reminders and escalations a stopped process owed; returns how many."""
    delivered = 0
    for owed_row in await owed.take_overdue(database, CaseOwed.WATCH, now or utcnow(), lease):
        async with database.sessions() as session:
            case = await session.get(Case, owed_row.case_id)
        if case is None:
            await owed.settle(database, owed_row.id)
            continue
        await _act(database, desk, case, owed_row)
        delivered += 1
    return delivered


async def _officers(database: Database, case: Case) -> list[Person]:
    async with database.sessions() as session:
        if case.officer_id is not None:
            officer = await session.get(Person, case.officer_id)
            return [officer] if officer else []
        rows = await session.scalars(
            select(Person).where(Person.role == Role.OFFICER, Person.area_id == case.area_id)
        )
        return list(rows.all())


async def _leads(database: Database, case: Case) -> list[Person]:
    community = await routing.community_of(database, case)
    if community is None:
        return await _admins(database)
    leads = await routing.staff_of(database, Role.LEAD, community)
    return leads or await _admins(database)


async def _admins(database: Database) -> list[Person]:
    return await routing.staff_of(database, Role.ADMIN, None)
