"""Reports meet the register on SQLite and PostgreSQL: a draft names a registered dog by its
number (checked; someone else's draft, a category that does not ask, a dog not in the street
are refused and change nothing), and a card's dog lines show the owner only to those
`access.sees_owner` lets see them."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.dogs import sightings
from bot.dogs.rules import DogError
from bot.reports import drafts
from bot.texts import Catalogue
from storage.db import Database
from storage.models import Case, Category, Dog, DogStatus, Person
from tests.storage.dog_street import a_dog
from tests.storage.test_access import ACTORS, Street, _street

T = Catalogue.load().translator("zh")
TODAY = date(2026, 6, 1)


async def _draft(database: Database, reporter: Person, code: str = "dog") -> Case:
    async with database.sessions() as session:
        category = await session.scalar(select(Category).where(Category.code == code))
    assert category is not None
    draft = await drafts.start(database, reporter.id)
    return await drafts.choose_category(database, draft, category.id)


async def _dog_of(database: Database, case_id: int) -> int | None:
    async with database.sessions() as session:
        case = await session.get(Case, case_id)
        assert case is not None
        return case.dog_id


async def _street_dog(
    database: Database, status: DogStatus = DogStatus.APPROVED
) -> tuple[dict[str, Person], Dog]:
    street = await _street(database)
    dog = await a_dog(database, street.people["neighbour"], street.grid.id, status)
    return street.people, await _fresh(database, dog)


async def _fresh(database: Database, dog: Dog) -> Dog:
    """The dog as stored (`a_dog` numbers it behind the object's back)."""
    async with database.sessions() as session:
        stored = await session.get(Dog, dog.id)
    assert stored is not None
    return stored


def test_a_number_is_read_as_typed_or_refused() -> None:
    assert sightings.normalise(" jn-d000012 ") == "JN-D000012"
    assert sightings.normalise("JN－D000012") == "JN-D000012"
    for bad in ("", "大黄狗", "JN-000012", "D000012", "JN-D12", "JN-D000012; drop"):
        with pytest.raises(DogError) as refused:
            sightings.normalise(bad)
        assert refused.value.key == "dogs.sighting_malformed"


async def test_a_draft_names_a_registered_dog_and_a_skip_forgets_it(database: Database) -> None:
    people, dog = await _street_dog(database)
    reporter = people["reporter"]
    draft = await _draft(database, reporter)
    named = await sightings.name_dog(database, reporter, draft.id, (dog.number or "").lower())
    assert named.id == dog.id
    assert await _dog_of(database, draft.id) == dog.id
    assert await sightings.number_of(database, dog.id) == dog.number
    await sightings.skip(database, reporter, draft.id)
    assert await _dog_of(database, draft.id) is None
    await sightings.name_dog(database, reporter, draft.id, dog.number)
    other = await drafts.choose_category(database, draft, await _category_id(database, "fire"))
    assert other.dog_id is None  # another category: the dog goes with the old answers


@pytest.mark.parametrize("status", [DogStatus.PENDING, DogStatus.DEAD, DogStatus.REHOMED])
async def test_a_dog_not_in_the_street_is_unknown(database: Database, status: DogStatus) -> None:
    people, dog = await _street_dog(database, status)
    reporter = people["reporter"]
    draft = await _draft(database, reporter)
    number = dog.number or f"S-D{dog.id:06d}"
    with pytest.raises(DogError) as refused:
        await sightings.name_dog(database, reporter, draft.id, number)
    assert refused.value.key == "dogs.sighting_unknown"
    assert await _dog_of(database, draft.id) is None


async def test_a_forged_draft_or_category_changes_nothing(database: Database) -> None:
    people, dog = await _street_dog(database)
    reporter, neighbour = people["reporter"], people["neighbour"]
    draft = await _draft(database, reporter)
    fire = await _draft(database, neighbour, "fire")
    attempts = [
        (neighbour, draft.id),  # someone else's draft
        (neighbour, fire.id),  # a category that does not ask
        (reporter, 0),
        (reporter, 2**70),
    ]
    for who, case_id in attempts:
        with pytest.raises(DogError) as refused:
            await sightings.name_dog(database, who, case_id, dog.number)
        assert refused.value.key == "error.stale_button"
        with pytest.raises(DogError):
            await sightings.skip(database, who, case_id)
    assert await _dog_of(database, draft.id) is None
    assert await _dog_of(database, fire.id) is None


# The dog lives in C1-1 (community C1) and belongs to the neighbour; the reporter names it.
SEES_OWNER = {**ACTORS, "neighbour": True, "sibling_officer": True}


@pytest.mark.parametrize(("who", "sees"), SEES_OWNER.items())
async def test_a_cards_dog_lines_show_the_owner_only_to_whom_may_see_them(
    database: Database, who: str, sees: bool
) -> None:
    street: Street = await _street(database)
    owner = street.people["neighbour"]
    dog = await _fresh(database, await a_dog(database, owner, street.grid.id, DogStatus.APPROVED))
    reporter = street.people["reporter"]
    draft = await _draft(database, reporter)
    await sightings.name_dog(database, reporter, draft.id, dog.number)
    case = await drafts.draft_of(database, reporter.id)
    assert case is not None
    lines = await sightings.card_lines(database, case, street.people[who], T, TODAY)
    assert lines[0].startswith(f"🐕 登记犬只：{dog.number} · 旺财 · 柯基 · 一社区 · 一网格")
    owner_line = T("dogs.card_owner", name=owner.name, contact=f"tg://user?id={owner.tg_id}")
    assert (owner_line in lines) is sees
    group = await sightings.card_lines(database, case, None, T, TODAY)
    assert not any(line.startswith("犬主") for line in group)
    assert await sightings.card_lines(database, street.case, owner, T, TODAY) == []


async def _category_id(database: Database, code: str) -> int:
    async with database.sessions() as session:
        found = await session.scalar(select(Category.id).where(Category.code == code))
    assert found is not None
    return found
