"""What a resident may read about cases: their own and followed ones, one case in full, and the
public view of anyone else's case.

A resident never receives another resident's words, photos, typed address or identity: what
they see of a case they did not report is what the street would publish (number, category,
status, grid, when it was filed), whether they follow it or are offered to.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select

from bot.cases.access import STAFF_ROLES
from storage.db import Database
from storage.models import (
    Area,
    Case,
    CaseEvent,
    CaseFollower,
    CaseMedia,
    CaseStatus,
    Category,
    Person,
)

PER_PAGE = 5


@dataclass(frozen=True)
class CaseLine:
    case: Case
    category: Category | None
    following: bool


@dataclass(frozen=True)
class CaseDetails:
    case: Case
    category: Category | None
    area: str | None
    photos: int
    followers: int
    events: Sequence[CaseEvent]
    reporters_words: bool = True  # False: shown to a follower, without what the reporter wrote

    @property
    def description(self) -> str | None:
        return self.case.description if self.reporters_words else None

    @property
    def place(self) -> str | None:
        """The typed address for its reporter; the grid for anyone else."""
        return (self.case.address or self.area) if self.reporters_words else self.area


@dataclass(frozen=True)
class PublicCase:
    """A case as the street would publish it."""

    number: str
    category: Category | None
    status: CaseStatus
    area: str | None
    submitted_at: datetime | None


def sees_reporters_words(person: Person, case: Case) -> bool:
    """Whether `person` may read what the reporter wrote and sent: the reporter, and staff (whose
    reading is already limited to their scope); never another resident."""
    if case.reporter_id == person.id:
        return True
    return person.role in STAFF_ROLES and not person.banned


async def public(database: Database, case: Case) -> PublicCase:
    """What anyone may be shown of a case: nothing its reporter wrote, sent or is."""
    async with database.sessions() as session:
        category = await session.get(Category, case.category_id) if case.category_id else None
        area = await session.get(Area, case.area_id) if case.area_id else None
    return PublicCase(
        case.number or "", category, case.status, area.name if area else None, case.submitted_at
    )


def _mine(person_id: int):  # type: ignore[no-untyped-def]
    followed = select(CaseFollower.case_id).where(CaseFollower.person_id == person_id)
    return (
        or_(Case.reporter_id == person_id, Case.id.in_(followed)),
        Case.status != CaseStatus.DRAFT,
    )


async def my_cases(
    database: Database, person_id: int, page: int, per_page: int = PER_PAGE
) -> tuple[list[CaseLine], int]:
    """A page of the person's cases (reported or followed), newest first, and the total."""
    async with database.sessions() as session:
        total = await session.scalar(
            select(func.count()).select_from(Case).where(*_mine(person_id))
        )
        rows = await session.execute(
            select(Case, Category)
            .outerjoin(Category, Category.id == Case.category_id)
            .where(*_mine(person_id))
            .order_by(Case.submitted_at.desc(), Case.id.desc())
            .offset(max(0, page) * per_page)
            .limit(per_page)
        )
        lines = [CaseLine(case, category, case.reporter_id != person_id) for case, category in rows]
    return lines, int(total or 0)


async def details(database: Database, case_id: int, viewer: Person) -> CaseDetails | None:
    """One case in full for `viewer` (who may read it: see bot.cases.access), without the
    reporter's words unless `viewer` may see them."""
    async with database.sessions() as session:
        case = await session.get(Case, case_id)
        if case is None or case.status == CaseStatus.DRAFT:
            return None
        category = await session.get(Category, case.category_id) if case.category_id else None
        area = await session.get(Area, case.area_id) if case.area_id else None
        photos = await session.scalar(
            select(func.count()).where(CaseMedia.case_id == case_id, CaseMedia.stage == "report")
        )
        followers = await session.scalar(
            select(func.count()).where(CaseFollower.case_id == case_id)
        )
        events = (
            await session.scalars(
                select(CaseEvent).where(CaseEvent.case_id == case_id).order_by(CaseEvent.id)
            )
        ).all()
    return CaseDetails(
        case,
        category,
        area.name if area else None,
        photos or 0,
        followers or 0,
        events,
        sees_reporters_words(viewer, case),
    )
