"""How a dog reads: its card for reviewers and owners, its breed and status in the reader's
language. Whether the owner is shown is asked of `access.sees_owner`, here, for every card."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from bot.dogs import access, rules
from bot.texts import Catalogue, Translator
from storage.db import Database
from storage.models import Area, Dog, Person
from storage.types import is_key


@dataclass(frozen=True)
class DogCard:
    dog: Dog
    text: str
    shows_owner: bool


def breed_name(t: Translator, breed: str) -> str:
    code = rules.breed_code(breed)
    return t(f"dogs.breed_{code}") if code else breed


def restricted(catalogue: Catalogue, breed: str, restricted_breeds: frozenset[str]) -> bool:
    """Whether a breed (a listed one's code, or the owner's words) is restricted in the street."""
    code = rules.breed_code(breed)
    names = catalogue.every(f"dogs.breed_{code}") if code else set()
    return rules.is_restricted(breed, restricted_breeds, names)


def vaccination_text(t: Translator, dog: Dog, today: date) -> str:
    ends = rules.lapses_on(dog.vaccinated_on)
    key = (
        "dogs.vaccination_lapsed" if rules.lapsed(dog.vaccinated_on, today) else "dogs.vaccination"
    )
    return t(
        key, date=dog.vaccinated_on.isoformat(), until=ends.isoformat(), number=dog.certificate
    )


def place_text(t: Translator, grid: Area | None, community: Area | None) -> str:
    names = dict.fromkeys(area.name for area in (community, grid) if area is not None)
    return " · ".join(names) or t("dogs.place_unknown")


def describe(
    t: Translator,
    dog: Dog,
    place: str,
    today: date,
    owner: Person | None = None,
) -> str:
    """The dog's card: number and status, what it is, its vaccination, where it lives, and
    its owner only when `owner` is given (the caller asked `access.sees_owner`)."""
    lines = [
        t(
            "dogs.card_title",
            name=dog.name,
            number=dog.number or t("dogs.no_number"),
            status=t(f"dogs.status_{dog.status.value}"),
        ),
        t(
            "dogs.card_what",
            breed=breed_name(t, dog.breed),
            colour=dog.colour,
            size=t(f"dogs.size_{dog.size}"),
            sex=t(f"dogs.sex_{dog.sex}"),
        ),
        vaccination_text(t, dog, today),
        t("dogs.card_place", place=place),
    ]
    if dog.restricted:
        lines.insert(1, t("dogs.card_restricted"))
    if dog.return_reason:
        lines.append(t("dogs.card_returned", reason=t(f"dogs.reason_{dog.return_reason}")))
    if owner is not None:
        lines.append(owner_text(t, owner))
    return "\n".join(lines)


async def card(
    database: Database, dog_id: int, viewer: Person, t: Translator, today: date
) -> DogCard | None:
    """A dog's card as `viewer` may read it: None when it is neither theirs nor their
    community's (a forged id reads as a dog that does not exist)."""
    async with database.sessions() as session:
        dog = await session.get(Dog, dog_id) if is_key(dog_id) else None
        if dog is None or not await access.sees_owner(session, viewer, dog):
            return None
        grid = await session.get(Area, dog.area_id) if dog.area_id else None
        community_id = await access.community_of(session, dog.area_id)
        community = await session.get(Area, community_id) if community_id else None
        owner = await session.get(Person, dog.owner_id) if dog.owner_id != viewer.id else None
    text = describe(t, dog, place_text(t, grid, community), today, owner)
    return DogCard(dog, text, owner is not None)


def owner_text(t: Translator, owner: Person) -> str:
    """Who owns a dog, for those `access.sees_owner` lets see them."""
    return t("dogs.card_owner", name=owner.name or "—", contact=_contact(owner))


def _contact(owner: Person) -> str:
    return f"@{owner.username}" if owner.username else f"tg://user?id={owner.tg_id}"
