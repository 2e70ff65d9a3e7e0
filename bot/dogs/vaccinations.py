"""A newer vaccination by certificate photo: the owner sends its date, the certificate number
and a photo of the certificate; the staff of the dog's community confirm it (only then is the
dog's vaccination renewed, through the registry) or refuse it; the owner is told either way,
through the outbox, in the same transaction. Every step is audited by the registry.

The staff's cards are owed with the claim (`CLAIM_OWED`, storage.owed): the process that filed
it sends them and settles the row; one that stopped before leaves them to the clock."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import select

from bot.dogs import access, registry, rules
from bot.dogs.bookings import tell_owner
from bot.dogs.registry import Action
from bot.dogs.rules import DogError
from bot.texts import Catalogue
from storage import owed as rows
from storage.db import Database
from storage.models import Dog, DogVaccination, Owed, Person
from storage.types import is_key, utcnow

PENDING, CONFIRMED, REFUSED = "pending", "confirmed", "refused"
CLAIM_OWED = "dog.vaccination"  # the claim's cards to the dog's community's staff


@dataclass(frozen=True)
class Sent:
    claim: DogVaccination
    dog: Dog
    reviewers: list[Person]
    owed: Owed | None = None  # the cards a new claim owes its reviewers


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
    dog), with the cards it owes them; a date in the future or not after the dog's current one
    is refused."""
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
        owed = await rows.owe(session, CLAIM_OWED, claim.id, None, now)
        return Sent(claim, outcome.dog, await registry.reviewers(session, outcome.dog), owed)


async def waiting(database: Database, claim_id: int) -> Sent | None:
    """A claim still waiting for the staff, with its reviewers now; None once decided."""
    async with database.sessions() as session:
        claim = await session.get(DogVaccination, claim_id)
        if claim is None or claim.status != PENDING:
            return None
        dog = await session.get_one(Dog, claim.dog_id)
        return Sent(claim, dog, await registry.reviewers(session, dog))


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
        dog = await session.get(Dog, claim.dog_id)
        if dog is None or not await access.may_review(session, staff, dog):
            raise DogError("dogs.not_allowed")  # nothing of the claim to whoever may not decide
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
