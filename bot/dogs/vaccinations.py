"""A newer vaccination by certificate photo: the owner sends its date, the certificate number
and a photo of the certificate; the staff of the dog's community confirm it (only then is the
dog's vaccination renewed, through the registry) or refuse it; the owner is told either way,
through the outbox, in the same transaction. Every step is audited by the registry."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from bot.dogs import registry, rules
from bot.dogs.bookings import tell_owner
from bot.dogs.registry import Action
from bot.dogs.rules import DogError
from bot.texts import Catalogue
from storage.db import Database
from storage.models import Dog, DogVaccination, Person
from storage.types import is_key, utcnow

PENDING, CONFIRMED, REFUSED = "pending", "confirmed", "refused"


@dataclass(frozen=True)
class Sent:
    claim: DogVaccination
    dog: Dog
    reviewers: list[Person]


@dataclass(frozen=True)
class Photo:
    file_id: str
    unique_id: str


async def send(
    database: Database,
    owner: Person,
    dog_id: int,
    vaccination: tuple[date, str],
    photo: Photo,
    now: datetime | None = None,
) -> Sent:
    """The owner's newer vaccination, waiting for the community's staff (one at a time per
    dog); a date in the future or not after the dog's current one is refused."""
    now = now or utcnow()
    day, certificate = vaccination[0], rules.check_certificate(vaccination[1])
    async with database.transaction() as session:
        outcome = await registry.apply(
            session, dog_id, Action.VACCINATE, owner, vaccination=(day, certificate), now=now
        )
        waiting = await session.scalar(
            select(DogVaccination.id).where(
                DogVaccination.dog_id == dog_id, DogVaccination.status == PENDING
            )
        )
        if waiting is not None:
            raise DogError("dogs.vaccination_waiting")
        claim = DogVaccination(
            dog_id=dog_id,
            owner_id=owner.id,
            vaccinated_on=day,
            certificate=certificate,
            photo_file_id=photo.file_id,
            photo_unique_id=photo.unique_id,
            status=PENDING,
            created_at=now,
        )
        session.add(claim)
        await session.flush()
        return Sent(claim, outcome.dog, await registry.reviewers(session, outcome.dog))


async def decide(
    database: Database,
    catalogue: Catalogue,
    claim_id: int,
    staff: Person,
    confirm: bool,
    now: datetime | None = None,
) -> Sent:
    """Staff of the dog's community confirm (the registry renews the vaccination) or refuse
    an owner's newer vaccination, once; the owner is told through the outbox."""
    now = now or utcnow()
    async with database.transaction() as session:
        claim = None
        if is_key(claim_id):
            claim = await session.get(DogVaccination, claim_id, with_for_update=True)
        if claim is None:
            raise DogError("dogs.not_found")
        if claim.status != PENDING:
            raise DogError("dogs.vaccination_decided")
        action = Action.CONFIRM_VACCINATION if confirm else Action.REFUSE_VACCINATION
        outcome = await registry.apply(
            session,
            claim.dog_id,
            action,
            staff,
            vaccination=(claim.vaccinated_on, claim.certificate),
            note=f"certificate {claim.certificate} of {claim.vaccinated_on.isoformat()}",
            now=now,
        )
        claim.status = CONFIRMED if confirm else REFUSED
        claim.decided_at, claim.decided_by_id = now, staff.id
        await tell_owner(
            session,
            catalogue,
            claim.owner_id,
            f"dogs.owner_vaccination_{claim.status}",
            name=outcome.dog.name,
            date=claim.vaccinated_on.isoformat(),
            until=rules.lapses_on(claim.vaccinated_on).isoformat(),
        )
        return Sent(claim, outcome.dog, [])
