"""A street whose October 2026 figures were computed by hand, for the statistics tests.

Times are local (Asia/Shanghai, UTC+8). Areas: street ST; community C1 (东风社区) with grids
A = C1-1 and B = C1-2; community C2 (西湖社区) with grids C = C2-1 and D = C2-2 (no cases).

 #  area  category    submitted     accepted  resolve due   resolved      status     rework rating
 1  A     fire        10-02 09:00   09:20     10-03 09:00   10-02 15:00   closed     0      5
 2  A     fire        10-02 10:00   10:40     10-03 10:00   10-04 10:00   closed     1      3
 3  A     dog         10-05 08:00   08:30     10-07 08:00   10-06 08:00   resolved   0      -
 4  A     sanitation  10-10 07:00   -         -             -             rejected   0      -
 5  B     sanitation  10-10 14:00   15:00     10-13 14:00   10-11 14:00   closed     0      4
 6  B     sanitation  10-20 09:00   -         -             -             duplicate  0      -
 7  B     dog         10-25 09:00   09:10     10-27 09:00   -             accepted   0      -
 8  C     fire        10-31 20:00   -         11-01 20:00   -             new        0      -
 9  C1    other       10-15 10:00   -         10-18 10:00   -             new        0      -
10  C     dog         10-12 10:00   10:05     10-14 10:00   10-14 10:00   closed     0      -
outside the cohort: a closed case of A submitted 09-30 23:30, a new one 11-01 00:30, a draft.

Case 4 is submitted at 10-09 23:00 UTC: its local day is 10-10. Case 9 sits on the community
itself (not dispatched). Case 10 is resolved exactly at its deadline (on time). Case 7 is
overdue and unresolved; case 8 is not due before the period ends (11-01 00:00).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from storage.db import Database
from storage.models import Area, AreaLevel, Case, Category, Person
from storage.models import CaseStatus as S

TZ = ZoneInfo("Asia/Shanghai")
REPORTER_TG = 5550001
AREAS = (
    ("ST", "测试街道", AreaLevel.STREET, None),
    ("C1", "东风社区", AreaLevel.COMMUNITY, "ST"),
    ("C1-1", "东风一网格", AreaLevel.GRID, "C1"),
    ("C1-2", "东风二网格", AreaLevel.GRID, "C1"),
    ("C2", "西湖社区", AreaLevel.COMMUNITY, "ST"),
    ("C2-1", "西湖一网格", AreaLevel.GRID, "C2"),
    ("C2-2", "西湖二网格", AreaLevel.GRID, "C2"),
)


def at(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=TZ)


class Seeder:
    """Inserts areas and cases directly, with the times given."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session
        self.areas: dict[str, int] = {}
        self.categories: dict[str, int] = {}
        self.reporter = 0

    async def start(self, areas: tuple[tuple[str, str, AreaLevel, str | None], ...]) -> None:
        rows = (await self.session.execute(select(Category.code, Category.id))).all()
        self.categories = dict(rows)  # type: ignore[arg-type]
        for code, name, level, parent in areas:
            parent_id = self.areas[parent] if parent else None
            area = Area(code=code, name=name, level=level, parent_id=parent_id)
            self.session.add(area)
            await self.session.flush()
            self.areas[code] = area.id
        person = Person(tg_id=REPORTER_TG, name="居民")
        self.session.add(person)
        await self.session.flush()
        self.reporter = person.id

    async def case(
        self,
        area: str,
        category: str,
        submitted: datetime,
        status: S,
        accepted: datetime | None = None,
        due: datetime | None = None,
        resolved: datetime | None = None,
        rework: int = 0,
        rating: int | None = None,
    ) -> None:
        closed = resolved + timedelta(hours=1) if status == S.CLOSED and resolved else None
        self.session.add(
            Case(
                status=status,
                category_id=self.categories[category],
                reporter_id=self.reporter,
                area_id=self.areas[area],
                created_at=submitted,
                submitted_at=submitted,
                accepted_at=accepted,
                resolve_due_at=due,
                resolved_at=resolved,
                closed_at=closed,
                rework_count=rework,
                rating=rating,
            )
        )
        await self.session.flush()


async def seed_october(database: Database) -> Seeder:
    """The data set above; the seeder knows the ids of areas and categories by code."""
    async with database.transaction() as session:
        seed = Seeder(session)
        await seed.start(AREAS)
        add = seed.case
        await add("C1-1", "fire", at(10, 2, 9), S.CLOSED, at(10, 2, 9, 20), at(10, 3, 9),
                  at(10, 2, 15), rating=5)  # fmt: skip
        await add("C1-1", "fire", at(10, 2, 10), S.CLOSED, at(10, 2, 10, 40), at(10, 3, 10),
                  at(10, 4, 10), rework=1, rating=3)  # fmt: skip
        await add("C1-1", "dog", at(10, 5, 8), S.RESOLVED, at(10, 5, 8, 30), at(10, 7, 8),
                  at(10, 6, 8))  # fmt: skip
        await add("C1-1", "sanitation", at(10, 10, 7), S.REJECTED)
        await add("C1-2", "sanitation", at(10, 10, 14), S.CLOSED, at(10, 10, 15), at(10, 13, 14),
                  at(10, 11, 14), rating=4)  # fmt: skip
        await add("C1-2", "sanitation", at(10, 20, 9), S.DUPLICATE)
        await add("C1-2", "dog", at(10, 25, 9), S.ACCEPTED, at(10, 25, 9, 10), at(10, 27, 9))
        await add("C2-1", "fire", at(10, 31, 20), S.NEW, due=at(11, 1, 20))
        await add("C1", "other", at(10, 15, 10), S.NEW, due=at(10, 18, 10))
        await add("C2-1", "dog", at(10, 12, 10), S.CLOSED, at(10, 12, 10, 5), at(10, 14, 10),
                  at(10, 14, 10))  # fmt: skip
        # outside the cohort
        await add("C1-1", "fire", at(9, 30, 23, 30), S.CLOSED, at(10, 1, 8), at(10, 1, 23),
                  at(10, 1, 9), rating=1)  # fmt: skip
        await add("C1-1", "fire", at(11, 1, 0, 30), S.NEW, due=at(11, 2, 0, 30))
        await add("C1-1", "dog", at(10, 8, 12), S.DRAFT)
        return seed
