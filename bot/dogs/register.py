"""The register of dogs as staff read it: their community's dogs (admins: the street's), paged,
lapsed vaccinations counted per community, and the spreadsheet for the dog office."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import aliased

from bot.dogs import access, rules, views
from bot.register.sheets import XlsxSheet
from bot.texts import Translator
from storage.db import Database
from storage.models import Area, Dog, Person
from storage.models import DogStatus as S

PER_PAGE = 10
CHUNK = 1000
# Dogs that are still the register's: not dead, rehomed away, or returned to the owner.
LISTED = (S.PENDING, S.APPROVED, S.LOST)
COLUMNS = (
    ("number", 12),
    ("status", 10),
    ("name", 12),
    ("breed", 16),
    ("colour", 10),
    ("size", 8),
    ("sex", 8),
    ("restricted", 8),
    ("community", 16),
    ("grid", 16),
    ("vaccinated", 12),
    ("lapses", 12),
    ("lapsed", 8),
    ("certificate", 16),
    ("owner", 16),
    ("contact", 20),
)


@dataclass(frozen=True)
class Line:
    dog: Dog
    grid: str | None
    lapsed: bool


@dataclass(frozen=True)
class CommunityCount:
    name: str
    registered: int
    lapsed: int


def _scoped(query: Select, areas: set[int] | None) -> Select:
    return query if areas is None else query.where(Dog.area_id.in_(areas))


async def page(
    database: Database, viewer: Person, number: int, today: date, lapsed_only: bool = False
) -> tuple[list[Line], int]:
    """One page of the viewer's register, pending dogs first, then by number."""
    threshold = rules.latest_vaccination_due(today)
    async with database.sessions() as session:
        areas = await access.register_areas(session, viewer)
        query = _scoped(select(Dog, Area.name).outerjoin(Area, Area.id == Dog.area_id), areas)
        query = query.where(Dog.status.in_(LISTED))
        if lapsed_only:
            query = query.where(Dog.vaccinated_on <= threshold)
        total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
        pending_first = case((Dog.status == S.PENDING, 0), else_=1)
        rows = await session.execute(
            query.order_by(pending_first, Dog.id).offset(number * PER_PAGE).limit(PER_PAGE)
        )
        lines = [Line(dog, grid, dog.vaccinated_on <= threshold) for dog, grid in rows]
    return lines, total


async def lapsed_by_community(
    database: Database, viewer: Person, today: date
) -> list[CommunityCount]:
    """Per community of the viewer's scope: approved dogs, and those whose vaccination lapsed."""
    threshold = rules.latest_vaccination_due(today)
    grid, community = aliased(Area), aliased(Area)
    async with database.sessions() as session:
        areas = await access.register_areas(session, viewer)
        name = func.coalesce(community.name, grid.name)
        query = (
            select(
                name,
                func.count(),
                func.sum(case((Dog.vaccinated_on <= threshold, 1), else_=0)),
            )
            .select_from(Dog)
            .join(grid, grid.id == Dog.area_id)
            .outerjoin(community, community.id == grid.parent_id)
            .where(Dog.status == S.APPROVED)
            .group_by(name)
            .order_by(name)
        )
        rows = await session.execute(_scoped(query, areas))
        return [CommunityCount(n, count, int(late or 0)) for n, count, late in rows]


async def write_xlsx(
    database: Database,
    viewer: Person,
    t: Translator,
    path: Path,
    today: date,
    more: Callable[[XlsxSheet], None] | None = None,
) -> int:
    """The viewer's register as a spreadsheet, owners included (the viewer is staff of every
    dog's community, as `access.register_areas` makes sure), then the worksheets `more`
    writes; returns the number of dogs."""
    count = 0
    grid, community = aliased(Area), aliased(Area)
    sheet = XlsxSheet(
        path,
        t("dogs.export_sheet"),
        [t(f"dogs.column_{key}") for key, _ in COLUMNS],
        [width for _, width in COLUMNS],
    )
    try:
        async with database.sessions() as session:
            areas = await access.register_areas(session, viewer)
            query = (
                select(Dog, grid.name, community.name, Person)
                .join(Person, Person.id == Dog.owner_id)
                .outerjoin(grid, grid.id == Dog.area_id)
                .outerjoin(community, community.id == grid.parent_id)
                .where(Dog.status.in_(LISTED))
                .order_by(Dog.id)
            )
            result = await session.stream(_scoped(query, areas).execution_options(yield_per=CHUNK))
            async for dog, grid_name, community_name, owner in result:
                sheet.append(_row(t, dog, grid_name, community_name, owner, today))
                count += 1
        if more is not None:
            more(sheet)
    finally:
        sheet.close()
    return count


def _row(
    t: Translator, dog: Dog, grid: str | None, community: str | None, owner: Person, today: date
) -> Sequence[str | int | None]:
    return (
        dog.number or "",
        t(f"dogs.status_{dog.status.value}"),
        dog.name,
        views.breed_name(t, dog.breed),
        dog.colour,
        t(f"dogs.size_{dog.size}"),
        t(f"dogs.sex_{dog.sex}"),
        t("dogs.yes") if dog.restricted else "",
        community or "",
        grid or "",
        dog.vaccinated_on.isoformat(),
        rules.lapses_on(dog.vaccinated_on).isoformat(),
        t("dogs.yes") if rules.lapsed(dog.vaccinated_on, today) else "",
        dog.certificate,
        owner.name,
        f"@{owner.username}" if owner.username else str(owner.tg_id),
    )
