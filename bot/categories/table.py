"""Categories as admins manage them: listing, and changing deadlines, urgency, department and
whether residents can pick them. Every change is checked, then written and logged."""

from __future__ import annotations

import html
import logging
import re
import time
import weakref
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select

from bot.errors import PoliteError
from bot.texts import Markup, Translator
from storage.db import Database, root_of
from storage.models import Category, Person

log = logging.getLogger(__name__)

DURATION = re.compile(r"^(\d{1,6})\s*(m|min|h|d)$", re.IGNORECASE)
MINUTES = {"m": 1, "min": 1, "h": 60, "d": 24 * 60}
LONGEST_MINUTES = 365 * 24 * 60
# The values' code words; chat reads them in either language first (handlers/admin/categories).
SWITCH = {"on": True, "off": False}
NO_DEPARTMENT = {"-", "none"}
DEPARTMENT_LIMIT = 32
FIELDS = ("accept", "resolve", "urgent", "department", "active")
# Seconds a process keeps the categories it read. Each report step looks them up several times
# (bench/pipeline.py: ~1.8 reads an update); a change here is seen at once, another instance's
# within this delay.
CATEGORIES_RECHECK_S = 5.0


@dataclass(frozen=True)
class _Cached:
    by_id: dict[int, Category]
    read_at: float


_CACHE: weakref.WeakKeyDictionary[Database, _Cached] = weakref.WeakKeyDictionary()


async def every(database: Database) -> Sequence[Category]:
    """All categories, inactive ones included, in the residents' order."""
    async with database.sessions() as session:
        rows = await session.scalars(select(Category).order_by(Category.sort_order, Category.id))
        return rows.all()


async def by_id(database: Database) -> dict[int, Category]:
    """Every category by id, read again at most every CATEGORIES_RECHECK_S (read-only objects)."""
    cached = _CACHE.get(root_of(database))
    if cached is None or time.monotonic() - cached.read_at >= CATEGORIES_RECHECK_S:
        cached = _Cached({c.id: c for c in await every(database)}, time.monotonic())
        _CACHE[root_of(database)] = cached
    return cached.by_id


def forget(database: Database) -> None:
    """Drop this process's cached categories (after a change here)."""
    _CACHE.pop(root_of(database), None)


async def change(database: Database, code: str, field: str, value: str, by: Person) -> Category:
    """Set one field of the category `code`: accept/resolve (30m, 4h, 3d), urgent/active
    (on/off), department (a name, or - for none)."""
    if field not in FIELDS or not value.strip():
        raise PoliteError("categories.usage")
    async with database.transaction() as session:
        category = await session.scalar(
            select(Category).where(func.lower(Category.code) == code.lower())
        )
        if category is None:
            raise PoliteError("categories.unknown", code=code)
        before = getattr(category, _column(field))
        _apply(category, field, value.strip())
        after = getattr(category, _column(field))
    forget(root_of(database))
    log.info("category %s: %s %r -> %r by person %s", category.code, field, before, after, by.id)
    return category


def _column(field: str) -> str:
    return {"accept": "accept_minutes", "resolve": "resolve_minutes"}.get(field, field)


def _apply(category: Category, field: str, value: str) -> None:
    if field in ("accept", "resolve"):
        minutes = duration(value)
        accept = minutes if field == "accept" else category.accept_minutes
        resolve = minutes if field == "resolve" else category.resolve_minutes
        if accept > resolve:
            raise PoliteError("categories.accept_after_resolve")
        category.accept_minutes, category.resolve_minutes = accept, resolve
    elif field in ("urgent", "active"):
        if value.lower() not in SWITCH:
            raise PoliteError("categories.bad_switch", given=value)
        setattr(category, field, SWITCH[value.lower()])
    else:
        if len(value) > DEPARTMENT_LIMIT:
            raise PoliteError("categories.bad_department", limit=DEPARTMENT_LIMIT)
        category.department = None if value.lower() in NO_DEPARTMENT else value


def duration(text: str) -> int:
    """Minutes in `30m`, `4h` or `3d` (one minute to a year); PoliteError otherwise."""
    match = DURATION.match(text.strip())
    minutes = int(match[1]) * MINUTES[match[2].lower()] if match else 0
    if not 1 <= minutes <= LONGEST_MINUTES:
        raise PoliteError("categories.bad_duration", given=text)
    return minutes


async def category(database: Database, category_id: int | None) -> Category | None:
    """One category by id, from the cache (None for none)."""
    if category_id is None:
        return None
    return (await by_id(database)).get(category_id)


def category_text(t: Translator, chosen: Category | None, answers: dict[str, str]) -> Markup:
    """The category with the answers to its quick questions, e.g. 火灾隐患（消防通道、楼道被堵）."""
    if chosen is None:
        return Markup("—")
    picked = [
        option.get(t.language) or option["zh"]
        for question in chosen.questions
        for option in question["options"]
        if answers.get(question["key"]) == option["key"]
    ]
    name = chosen.name(t.language)
    if not picked:
        return Markup(html.escape(name, quote=False))
    separator = t("list.separator")
    return Markup(t("report.with_answers", category=name, answers=separator.join(picked)))
