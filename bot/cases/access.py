"""Who may see and act on a case, and where it may go: one function per question.

Every entry point asks these (chat buttons and commands, the command line, Open311, later web
pages), and the lifecycle asks them again inside the transaction of each action, so a rule holds
even where a caller forgot it. Callback data is never trusted: a forged case id or transfer
target meets the same answer as a real one.

Staff scope: admins see the whole street; an officer their grid (and the finds they filed
themselves); a lead their community and its grids. Reading is wider than acting by one thing:
whoever transferred a case away keeps reading it, to see where it went.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.errors import PoliteError
from storage.db import Database
from storage.models import Area, AreaLevel, Case, CaseEvent, CaseFollower, Person, Role
from storage.types import is_key

STAFF_ROLES = frozenset({Role.OFFICER, Role.LEAD, Role.ADMIN})
TRANSFER = "transfer"  # the audit event's action (lifecycle.Action.TRANSFER)


async def may_act(session: AsyncSession, person: Person | None, case: Case) -> bool:
    """Whether a staff member may act on the case: it lies in their area (admins: everywhere)."""
    if person is None or person.banned or person.role not in STAFF_ROLES:
        return False
    if person.role == Role.ADMIN:
        return True
    if person.role == Role.OFFICER and case.officer_found and case.reporter_id == person.id:
        return True  # an officer's own find, wherever it is
    if case.area_id is None or person.area_id is None:
        return False
    if person.role == Role.OFFICER:
        return person.area_id == case.area_id
    area = await session.get(Area, case.area_id)
    return area is not None and person.area_id in (area.id, area.parent_id)


async def may_read(session: AsyncSession, person: Person | None, case: Case) -> bool:
    """Whether someone may read the case in full: its reporter and followers, staff in scope,
    and staff who transferred it away."""
    if person is None:
        return False
    if case.reporter_id == person.id:
        return True
    if person.role in STAFF_ROLES:
        return await may_act(session, person, case) or await _transferred_by(session, person, case)
    return await session.get(CaseFollower, (case.id, person.id)) is not None


async def case_to_act_on(database: Database, person: Person, case_id: int) -> Case:
    """The case a staff member is acting on; refused politely when it is gone or out of scope."""
    async with database.sessions() as session:
        case = await _case(session, case_id)
        if case is None:
            raise PoliteError("case.not_found")
        if not await may_act(session, person, case):
            raise PoliteError("case.not_allowed")
        return case


async def case_to_read(database: Database, person: Person, case_id: int) -> Case:
    """The case someone asks to read; refused politely when it is gone or not theirs to read."""
    async with database.sessions() as session:
        case = await _case(session, case_id)
        if case is None or not await may_read(session, person, case):
            raise PoliteError("case.not_found")
        return case


async def reporters_case(database: Database, person: Person, case_id: int) -> Case:
    """The case a reporter acts on (confirms, rates, adds to); refused for anyone else."""
    async with database.sessions() as session:
        case = await _case(session, case_id)
    if case is None or case.reporter_id != person.id:
        raise PoliteError("case.not_allowed")
    return case


@dataclass(frozen=True)
class TransferTargets:
    """Where a case may be transferred: the other grids of its community, and the community
    itself (to its lead) when the case sits in a grid."""

    grids: list[Area]
    community_id: int | None

    def allows(self, area_id: int) -> bool:
        return area_id == self.community_id or any(grid.id == area_id for grid in self.grids)

    def __bool__(self) -> bool:
        return bool(self.grids) or self.community_id is not None


async def transfer_targets(session: AsyncSession, case: Case) -> TransferTargets:
    """The targets the transfer menu offers, and the only ones a transfer accepts."""
    area = await session.get(Area, case.area_id) if case.area_id else None
    if area is None or area.level == AreaLevel.STREET:
        return TransferTargets([], None)
    community_id = area.parent_id if area.level == AreaLevel.GRID else area.id
    grids = await session.scalars(
        select(Area)
        .where(
            Area.parent_id == community_id, Area.level == AreaLevel.GRID, Area.id != case.area_id
        )
        .order_by(Area.code)
    )
    back_to_lead = community_id if area.level == AreaLevel.GRID else None
    return TransferTargets(list(grids), back_to_lead)


async def _case(session: AsyncSession, case_id: int) -> Case | None:
    """The case with this id; None for an id no row can have (e.g. one kept in a conversation
    that was forged or corrupted)."""
    return await session.get(Case, case_id) if is_key(case_id) else None


async def _transferred_by(session: AsyncSession, person: Person, case: Case) -> bool:
    return bool(
        await session.scalar(
            select(
                exists().where(
                    CaseEvent.case_id == case.id,
                    CaseEvent.actor_id == person.id,
                    CaseEvent.action == TRANSFER,
                )
            )
        )
    )
