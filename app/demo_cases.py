"""A month of demo cases on the demo street, so `/stats`, `/map`, `/export` and the Open311 feed
show something at once.

Each case goes through the lifecycle (`bot.cases.lifecycle.apply`) at past moments: filed at a
point inside its grid, then, as chance has it, accepted by the grid's demo officer, resolved,
confirmed and rated by its demo resident, or left open. Deadlines, the audit trail and every
figure come out as real ones would. Nothing is owed for them (they are history, nobody is told),
and the clock's steps already due are taken, so no reminder or escalation goes to the demo
staff's made-up chats. The same seed gives the same street.
"""

from __future__ import annotations

import json
import random
from datetime import datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

from shapely.geometry import Point, shape
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases import lifecycle
from bot.cases.lifecycle import Action
from bot.deadlines.escalation import WATCHES, step_due
from bot.places import routing
from storage.db import Database
from storage.models import Area, AreaLevel, Case, CaseStatus, Category, Person, Role
from storage.types import utcnow

DEMO_RESIDENT_IDS = 30_000_000
RESIDENTS = 20
DAYS = 30
# What the demo residents write and are called, in the street's language (data, beside the
# demo street's boundaries).
DEMO_TEXTS = json.loads(Path(__file__).with_name("demo").joinpath("cases.json").read_text("utf-8"))


async def file_demo_cases(
    database: Database, count: int, tz: tzinfo, now: datetime | None = None, seed: int = 7
) -> int:
    """File `count` demo cases over the last DAYS days; returns how many were filed."""
    now = now or utcnow()
    rng = random.Random(seed)
    grids, categories = await _grids_and_categories(database)
    if not grids or not categories:
        return 0
    residents = [await _resident(database, n) for n in range(RESIDENTS)]
    for n in range(count):
        grid = grids[n % len(grids)]
        officers = await routing.staff_of(database, Role.OFFICER, grid.id)
        filed = now - timedelta(days=rng.uniform(0.1, DAYS))
        await _one_case(
            database, rng, grid, rng.choice(categories), residents[n % RESIDENTS],
            officers[0] if officers else None, filed, now, tz,
        )  # fmt: skip
    return count


async def _grids_and_categories(database: Database) -> tuple[list[Area], list[Category]]:
    async with database.sessions() as session:
        grids = list(
            await session.scalars(
                select(Area)
                .where(Area.level == AreaLevel.GRID, Area.boundary.is_not(None))
                .order_by(Area.code)
            )
        )
        categories = list(await session.scalars(select(Category).where(Category.active.is_(True))))
    return grids, categories


async def _resident(database: Database, n: int) -> Person:
    async with database.transaction() as session:
        person = await session.scalar(select(Person).where(Person.tg_id == DEMO_RESIDENT_IDS + n))
        if person is None:
            person = Person(
                tg_id=DEMO_RESIDENT_IDS + n, name=DEMO_TEXTS["resident_name"].format(n=n + 1)
            )
            session.add(person)
            await session.flush()
        return person


async def _one_case(
    database: Database,
    rng: random.Random,
    grid: Area,
    category: Category,
    reporter: Person,
    officer: Person | None,
    filed: datetime,
    now: datetime,
    tz: tzinfo,
) -> None:
    latitude, longitude = _point_in(rng, grid)
    descriptions = DEMO_TEXTS["descriptions"]
    words = descriptions.get(category.code, descriptions["other"])
    async with database.transaction() as session:
        case = Case(
            reporter_id=reporter.id,
            status=CaseStatus.DRAFT,
            category_id=category.id,
            answers={},
            description=rng.choice(words),
            latitude=latitude,
            longitude=longitude,
            area_id=grid.id,
            created_at=filed,
        )
        session.add(case)
        await session.flush()
        outcomes = [
            await lifecycle.apply(session, case.id, Action.SUBMIT, reporter, tz=tz, now=filed)
        ]
        outcomes += await _what_happened(session, rng, case, reporter, officer, filed, now)
        for outcome in outcomes:  # history: nobody is owed news of it
            assert outcome.owed is not None
            outcome.owed.done_at = now
        case.escalation_level = _steps_taken(case, now)


async def _what_happened(
    session: AsyncSession,
    rng: random.Random,
    case: Case,
    reporter: Person,
    officer: Person | None,
    filed: datetime,
    now: datetime,
) -> list[lifecycle.Outcome]:
    """Accepted, resolved, confirmed and rated, each with some chance and in its time."""
    done: list[lifecycle.Outcome] = []
    moment = filed + timedelta(minutes=rng.uniform(5, 240))
    if officer is None or moment >= now or rng.random() < 0.1:
        return done  # still waiting to be accepted
    steps: list[tuple[Action, Person, dict[str, Any]]] = [
        (Action.ACCEPT, officer, {}),
        (
            Action.RESOLVE,
            officer,
            {"note": DEMO_TEXTS["resolved_note"], "verified": rng.random() < 0.7},
        ),
        (Action.CONFIRM, reporter, {}),
        (Action.RATE, reporter, {"rating": rng.choice((3, 4, 4, 5, 5, 5))}),
    ]
    for action, actor, details in steps:
        if moment >= now or (action is not Action.ACCEPT and rng.random() < 0.15):
            break
        outcome = await lifecycle.apply(session, case.id, action, actor, now=moment, **details)
        done.append(outcome)
        hours = rng.uniform(1, 60) if action is Action.ACCEPT else rng.uniform(1, 24)
        moment += timedelta(hours=hours)
    return done


def _steps_taken(case: Case, now: datetime) -> int:
    """The clock's step already due for the case's status (none once it is not watched)."""
    for watch in WATCHES:
        start, due = getattr(case, watch.start), getattr(case, watch.due)
        if case.status == watch.status and start and due:
            step = step_due(start, due, now)
            return int(step) if step is not None else 0
    return case.escalation_level


def _point_in(rng: random.Random, grid: Area) -> tuple[float, float]:
    polygon = shape(grid.boundary)
    west, south, east, north = polygon.bounds
    for _ in range(200):
        point = Point(rng.uniform(west, east), rng.uniform(south, north))
        if polygon.contains(point):
            return round(point.y, 6), round(point.x, 6)
    centre = polygon.representative_point()
    return round(centre.y, 6), round(centre.x, 6)
