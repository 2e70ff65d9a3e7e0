"""What a resident may read about cases: their own and followed ones, and one case in full."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, or_, select

from storage.db import Database
from storage.models import (
    Area,
    Case,
    CaseEvent,
    CaseFollower,
    CaseMedia,
    CaseStatus,
    Category,
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


async def details(database: Database, case_id: int) -> CaseDetails | None:
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
        case, category, area.name if area else None, photos or 0, followers or 0, events
    )
