"""A staff member's open cases, the most pressing deadline first."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, or_, select

from bot.cases.lifecycle import OPEN
from storage.db import Database
from storage.models import Area, Case, CaseEvent, Person, Role
from storage.types import is_key, utcnow

# A case number as typed: an optional prefix and dash, then the digits (leading zeros optional).
NUMBER = re.compile(r"^\s*(?:([A-Za-z]{1,6})\s*-\s*)?0*(\d{1,18})\s*$")

QUEUE_LIMIT = 30


@dataclass(frozen=True)
class Entry:
    case: Case
    due: datetime | None
    overdue: bool


async def queue(database: Database, person: Person, now: datetime | None = None) -> list[Entry]:
    """Open cases the person may act on: their grid, their community, or all for admins."""
    now = now or utcnow()
    due = case(
        (Case.status == "new", Case.accept_due_at),
        else_=Case.resolve_due_at,
    )
    query = select(Case).where(Case.status.in_([s.value for s in OPEN]))
    if person.role == Role.OFFICER:
        query = query.where(Case.area_id == person.area_id)
    elif person.role == Role.LEAD:
        grids = select(Area.id).where(Area.parent_id == person.area_id)
        query = query.where(or_(Case.area_id == person.area_id, Case.area_id.in_(grids)))
    elif person.role != Role.ADMIN:
        return []
    query = query.where(and_(Case.number.is_not(None))).order_by(due.asc(), Case.id)
    async with database.sessions() as session:
        rows = (await session.scalars(query.limit(QUEUE_LIMIT))).all()
    entries = []
    for row in rows:
        deadline = row.accept_due_at if row.status == "new" else row.resolve_due_at
        waiting = row.status != "resolved" and deadline is not None and deadline < now
        entries.append(Entry(row, deadline, waiting))
    return entries


async def by_number(database: Database, number: str) -> Case | None:
    """A filed case by its number as people type it: JN-000005, jn-5, 000005 or 5 (the digits
    of a number are the case's id); None for anything else or a prefix that does not match."""
    match = NUMBER.match(number)
    if match is None:
        return None
    prefix, digits = match.groups()
    if not is_key(int(digits)):
        return None
    async with database.sessions() as session:
        case = await session.get(Case, int(digits))
    if case is None or case.number is None:  # a draft has no number yet
        return None
    if prefix is not None and not case.number.startswith(f"{prefix.upper()}-"):
        return None
    return case


async def audit_trail(database: Database, case_id: int) -> list[tuple[CaseEvent, Person | None]]:
    """The events of a case, oldest first, with who did each (None: the system)."""
    async with database.sessions() as session:
        rows = await session.execute(
            select(CaseEvent, Person)
            .outerjoin(Person, Person.id == CaseEvent.actor_id)
            .where(CaseEvent.case_id == case_id)
            .order_by(CaseEvent.id)
        )
        return [(event, person) for event, person in rows]
