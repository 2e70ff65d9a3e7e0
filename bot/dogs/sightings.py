"""Reports meet the register: a resident's report in a category that asks for it may name a
registered dog by its number; the case then shows staff that dog, and its owner only to those
`access.sees_owner` lets see them (never to the reporter or a follower)."""

from __future__ import annotations

import re
from datetime import date

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dogs import access, views
from bot.dogs.rules import NUMBER_MARK, DogError
from bot.texts import Translator
from storage.db import Database
from storage.models import Area, Case, Category, Dog, Person
from storage.models import CaseStatus as CS
from storage.models import DogStatus as S
from storage.types import is_key

NUMBER = re.compile(rf"^[A-Z0-9]{{1,16}}-{NUMBER_MARK}\d{{6,12}}$")
NAMED = frozenset({S.APPROVED, S.LOST})  # a dog with a number that is still in the street


def normalise(text: str | None) -> str:
    """A typed registration number (JN-D000012, any case, spaces ignored); DogError when it
    cannot be one."""
    value = "".join((text or "").split()).upper().replace("—", "-").replace("－", "-")
    if not NUMBER.match(value):
        raise DogError("dogs.sighting_malformed")
    return value


async def name_dog(database: Database, reporter: Person, case_id: int, text: str | None) -> Dog:
    """The reporter's draft names the registered dog numbered `text`; an unknown number, or a
    draft that is not theirs or not of a category that asks, is refused and changes nothing."""
    number = normalise(text)
    async with database.transaction() as session:
        case = await _asking_draft(session, reporter, case_id)
        dog = await session.scalar(select(Dog).where(Dog.number == number))
        if dog is None or dog.status not in NAMED:
            raise DogError("dogs.sighting_unknown", number=number)
        case.dog_id = dog.id
        return dog


async def skip(database: Database, reporter: Person, case_id: int) -> None:
    """The reporter does not know the number: the draft names no dog."""
    async with database.transaction() as session:
        case = await _asking_draft(session, reporter, case_id)
        case.dog_id = None


async def asks(database: Database, category_id: int | None) -> bool:
    """Whether a report in this category asks for the dog's number."""
    async with database.sessions() as session:
        category = await session.get(Category, category_id) if category_id else None
        return bool(category and category.asks_dog_number)


async def number_of(database: Database, dog_id: int | None) -> str | None:
    """The number of the dog a draft names (what the reporter typed, nothing more)."""
    async with database.sessions() as session:
        dog = await session.get(Dog, dog_id) if dog_id else None
        return dog.number if dog else None


async def card_lines(
    database: Database, case: Case, viewer: Person | None, t: Translator, today: date
) -> list[str]:
    """The lines a staff card of the case gives its dog: number, name, breed, where it lives,
    whether its vaccination lapsed; the owner only when `viewer` may see them (a department
    group, `viewer` None, never does)."""
    if case.dog_id is None:
        return []
    async with database.sessions() as session:
        dog = await session.get(Dog, case.dog_id)
        if dog is None:
            return []
        grid = await session.get(Area, dog.area_id) if dog.area_id else None
        community_id = await access.community_of(session, dog.area_id)
        community = await session.get(Area, community_id) if community_id else None
        owner = None
        if await access.sees_owner(session, viewer, dog):
            owner = await session.get(Person, dog.owner_id)
    lines = [
        t(
            "dogs.case_dog",
            number=dog.number or "",
            name=dog.name,
            breed=views.breed_name(t, dog.breed),
            place=views.place_text(t, grid, community),
            status=t(f"dogs.status_{dog.status.value}"),
        ),
        views.vaccination_text(t, dog, today),
    ]
    if owner is not None:
        lines.append(views.owner_text(t, owner))
    return lines


async def _asking_draft(session: AsyncSession, reporter: Person, case_id: int) -> Case:
    case = await session.get(Case, case_id, with_for_update=True) if is_key(case_id) else None
    if case is None or case.reporter_id != reporter.id or case.status != CS.DRAFT:
        raise DogError("error.stale_button")
    category = await session.get(Category, case.category_id) if case.category_id else None
    if category is None or not category.asks_dog_number:
        raise DogError("error.stale_button")
    return case
