"""/find: cases by number, words of the description, `status:`, `area:` and `category:`,
combined; within the viewer's scope (leads: their community), newest first."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import Select, func, select

from bot.cases.lifecycle import OPEN
from bot.errors import PoliteError
from bot.people.scope import area_for, area_ids
from storage.db import Database
from storage.models import Area, Case, CaseStatus, Category, Person

SHOWN = 20
NUMBER = re.compile(r"^[A-Za-z]{1,10}-\d{1,12}$")
FILTERS = ("status", "area", "category")
FILED = [status for status in CaseStatus if status != CaseStatus.DRAFT]
STATUS_WORDS = {"open": OPEN, **{status.value: frozenset({status}) for status in FILED}}


@dataclass
class Query:
    numbers: list[str] = field(default_factory=list)
    statuses: set[CaseStatus] = field(default_factory=set)
    area: str | None = None
    category: str | None = None
    words: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Found:
    case: Case
    category: Category | None
    area: Area | None


def parse(text: str) -> Query:
    """The parts of a query; PoliteError on an empty one or an unknown status."""
    query = Query()
    for token in text.replace("：", ":").split():
        name, _, value = token.partition(":")
        if name.lower() in FILTERS and value:
            _add_filter(query, name.lower(), value)
        elif NUMBER.match(token):
            query.numbers.append(token.upper())
        else:
            query.words.append(token.lower())
    if query == Query():
        raise PoliteError("find.usage")
    return query


def _add_filter(query: Query, name: str, value: str) -> None:
    if name == "area":
        query.area = value
    elif name == "category":
        query.category = value
    elif value.lower() in STATUS_WORDS:
        query.statuses |= STATUS_WORDS[value.lower()]
    else:
        raise PoliteError("find.bad_status", given=value, choices=", ".join(STATUS_WORDS))


async def find(database: Database, viewer: Person, text: str) -> tuple[list[Found], int]:
    """Up to SHOWN matching cases, newest first, and how many match in all."""
    query = parse(text)
    ids = await area_ids(database, await area_for(database, viewer, query.area))
    statement = select(Case).where(Case.status != CaseStatus.DRAFT, Case.number.is_not(None))
    if ids is not None:
        statement = statement.where(Case.area_id.in_(ids))
    statement = await _filtered(database, statement, query)
    async with database.sessions() as session:
        total = await session.scalar(select(func.count()).select_from(statement.subquery()))
        rows = await session.execute(
            statement.add_columns(Category, Area)
            .outerjoin(Category, Category.id == Case.category_id)
            .outerjoin(Area, Area.id == Case.area_id)
            .order_by(Case.submitted_at.desc(), Case.id.desc())
            .limit(SHOWN)
        )
        found = [Found(case, category, area) for case, category, area in rows.all()]
    return found, total or 0


async def _filtered(database: Database, statement: Select, query: Query) -> Select:
    if query.numbers:
        statement = statement.where(Case.number.in_(query.numbers))
    if query.statuses:
        statement = statement.where(Case.status.in_([s.value for s in query.statuses]))
    for word in query.words:
        statement = statement.where(func.lower(Case.description).contains(word, autoescape=True))
    if query.category is not None:
        async with database.sessions() as session:
            category_id = await session.scalar(
                select(Category.id).where(func.lower(Category.code) == query.category.lower())
            )
        if category_id is None:
            raise PoliteError("find.unknown_category", given=query.category)
        statement = statement.where(Case.category_id == category_id)
    return statement
