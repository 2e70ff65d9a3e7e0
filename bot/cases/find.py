"""/find: cases by number, words of the description, `status:`, `area:` and `category:`,
combined; within the viewer's scope (leads: their community), newest first. The filters' names
and the statuses may be typed in any language of the catalogues (状态:待受理 as status:new)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from sqlalchemy import Select, func, or_, select

from bot.cases.lifecycle import OPEN
from bot.errors import PoliteError
from bot.people.scope import area_for, area_ids
from bot.texts import Translator
from storage.db import Database
from storage.models import Area, Case, CaseStatus, Category, Person

SHOWN = 20
NUMBER = re.compile(r"^[A-Za-z]{1,10}-\d{1,12}$")
FILTERS = ("status", "area", "category")
FILED = [status for status in CaseStatus if status != CaseStatus.DRAFT]
STATUS_CODES = {"open": OPEN, **{status.value: frozenset({status}) for status in FILED}}


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


def parse(text: str, t: Translator) -> Query:
    """The parts of a query; PoliteError on an empty one or an unknown status."""
    query = Query()
    for token in text.replace("：", ":").split():
        name, _, typed = token.partition(":")
        chosen = t.catalogue.sub_command("find", name, FILTERS)
        if chosen is not None and typed:
            _add_filter(query, chosen, typed, t)
        elif NUMBER.match(token):
            query.numbers.append(token.upper())
        else:
            query.words.append(token.lower())
    if query == Query():
        raise PoliteError("find.usage")
    return query


def status_words(t: Translator) -> dict[str, frozenset[CaseStatus]]:
    """What may follow `status:`: the codes (open, new...), each status's name in every language
    (待受理, 办理中...) and the words for every open status (未办结)."""
    words = dict(STATUS_CODES)
    for status in FILED:
        words |= dict.fromkeys(t.catalogue.words(f"status.{status.value}"), frozenset({status}))
    return words | dict.fromkeys(t.catalogue.words("find.word_open"), OPEN)


def _add_filter(query: Query, name: str, typed: str, t: Translator) -> None:
    if name == "area":
        query.area = typed
    elif name == "category":
        query.category = typed
    elif typed.lower() in (words := status_words(t)):
        query.statuses |= words[typed.lower()]
    else:
        raise PoliteError("find.bad_status", given=typed, choices=_choices(t))


def _choices(t: Translator) -> str:
    """The statuses as the person may type them: their names in the person's language, or the
    code where a name has a space (in progress: accepted)."""
    names = [t("find.word_open").split("|")[0]]
    for status in FILED:
        name = t(f"status.{status.value}")
        names.append(status.value if any(c.isspace() for c in name) else name)
    return t("find.choices_separator").join(names)


async def find(
    database: Database, viewer: Person, text: str, t: Translator
) -> tuple[list[Found], int]:
    """Up to SHOWN matching cases, newest first, and how many match in all."""
    query = parse(text, t)
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
                select(Category.id).where(
                    or_(
                        func.lower(Category.code) == query.category.lower(),
                        Category.name_zh == query.category,
                        func.lower(Category.name_en) == query.category.lower(),
                    )
                )
            )
        if category_id is None:
            raise PoliteError("find.unknown_category", given=query.category)
        statement = statement.where(Case.category_id == category_id)
    return statement
