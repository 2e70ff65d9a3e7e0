"""Every change of a dog in the register happens here: registering, the community's review,
the owner's updates. Each checks who may do it and from which status, changes the dog, records
an audit event and says whom to tell."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases.lifecycle import case_prefix
from bot.dogs import access, rules
from bot.dogs.rules import DogError
from storage import owed as rows
from storage.db import Database
from storage.models import Dog, DogEvent, Owed, Person, Role
from storage.models import DogStatus as S
from storage.types import is_key, utcnow

RETURN_REASONS = ("photo", "vaccination", "details", "place")
# What a change owes, written with it (delivered by bot.dogs.news): a submission's review
# cards, and a decision's outcome (the owner told, the reviewers' cards edited).
REVIEW_OWED, DECISION_OWED = "dog.review", "dog.decision"
EARLIEST_ZONE = timedelta(hours=14)  # UTC+14, where a day begins first


class Action(enum.StrEnum):
    REGISTER = "register"
    RESUBMIT = "resubmit"  # the owner sends a returned dog again, corrected
    APPROVE = "approve"
    RETURN = "return"
    VACCINATE = "vaccinate"  # the owner sends a newer vaccination, its certificate photographed
    CONFIRM_VACCINATION = "confirm_vaccination"  # staff confirm it: only then is it renewed
    REFUSE_VACCINATION = "refuse_vaccination"  # staff refuse it: nothing changes
    IMMUNISE = "immunise"  # staff saw the dog vaccinated at an immunisation day
    LOST = "lost"
    FOUND = "found"
    DEAD = "dead"
    REHOMED = "rehomed"


@dataclass(frozen=True)
class Rule:
    sources: frozenset[S]
    target: S | None  # None: the status does not change
    reviewer: bool = False  # the community's staff; otherwise the owner


ALIVE = frozenset({S.PENDING, S.RETURNED, S.APPROVED, S.LOST})
RULES: dict[Action, Rule] = {
    Action.RESUBMIT: Rule(frozenset({S.RETURNED}), S.PENDING),
    Action.APPROVE: Rule(frozenset({S.PENDING}), S.APPROVED, reviewer=True),
    Action.RETURN: Rule(frozenset({S.PENDING}), S.RETURNED, reviewer=True),
    Action.VACCINATE: Rule(ALIVE, None),
    Action.CONFIRM_VACCINATION: Rule(ALIVE, None, reviewer=True),
    Action.REFUSE_VACCINATION: Rule(ALIVE, None, reviewer=True),
    Action.IMMUNISE: Rule(ALIVE, None, reviewer=True),
    Action.LOST: Rule(frozenset({S.APPROVED}), S.LOST),
    Action.FOUND: Rule(frozenset({S.LOST}), S.APPROVED),
    Action.DEAD: Rule(ALIVE, S.DEAD),
    Action.REHOMED: Rule(ALIVE, S.REHOMED),
}
OWES = {Action.RESUBMIT: REVIEW_OWED, Action.APPROVE: DECISION_OWED, Action.RETURN: DECISION_OWED}
# What an owner may report from the dog's page.
OWNER_REPORTS = (Action.LOST, Action.FOUND, Action.DEAD, Action.REHOMED)


@dataclass
class Details:
    """What the owner gives at registration (checked by `rules` as it is typed)."""

    name: str
    breed: str
    colour: str
    size: str
    sex: str
    photo_file_id: str
    photo_unique_id: str
    vaccinated_on: date
    certificate: str
    area_id: int | None


@dataclass
class Outcome:
    dog: Dog
    action: Action
    event: DogEvent
    tell_owner: bool = True
    reviewers: list[Person] = field(default_factory=list)
    owed: Owed | None = None  # the row saying what the change owes people, if anything


def allowed(action: Action, dog: Dog, actor: Person) -> str | None:
    """Why `actor` may not do `action` on the dog now (a text key), or None. The reviewer's
    community is checked by `access.may_review` as well."""
    rule = RULES[action]
    if actor.banned:
        return "dogs.not_allowed"
    if not rule.reviewer and actor.id != dog.owner_id:
        return "dogs.not_allowed"
    if dog.status not in rule.sources:
        return "dogs.wrong_status"
    return None


async def register(
    database: Database,
    owner: Person,
    details: Details,
    restricted: bool,
    now: datetime | None = None,
) -> Outcome:
    """A new dog, waiting for its community's review."""
    now = now or utcnow()
    _check(details, now)
    async with database.transaction() as session:
        dog = Dog(owner_id=owner.id, restricted=restricted, created_at=now, updated_at=now)
        _fill(dog, details)
        session.add(dog)
        await session.flush()
        event = _event(dog, Action.REGISTER, owner, None, None, now)
        session.add(event)
        await session.flush()
        owed = await rows.owe(session, REVIEW_OWED, dog.id, event.id, now)
        return Outcome(
            dog, Action.REGISTER, event, reviewers=await reviewers(session, dog), owed=owed
        )


async def resubmit(
    database: Database,
    owner: Person,
    dog_id: int,
    details: Details,
    restricted: bool,
    now: datetime | None = None,
) -> Outcome:
    """A returned dog, corrected and sent for review again."""
    now = now or utcnow()
    _check(details, now)
    async with database.transaction() as session:
        dog = await _dog_for(session, dog_id, Action.RESUBMIT, owner)
        _fill(dog, details)
        dog.restricted = restricted
        dog.return_reason = None
        outcome = await _record(session, dog, Action.RESUBMIT, owner, None, now)
        outcome.reviewers = await reviewers(session, dog)
        return outcome


async def act(
    database: Database,
    dog_id: int,
    action: Action,
    actor: Person,
    *,
    note: str | None = None,
    vaccination: tuple[date, str | None] | None = None,
    prefix: str | None = None,
    now: datetime | None = None,
) -> Outcome:
    """Review or update a dog; DogError if it is not the actor's to do (or not now)."""
    async with database.transaction() as session:
        return await apply(
            session,
            dog_id,
            action,
            actor,
            note=note,
            vaccination=vaccination,
            prefix=prefix,
            now=now or utcnow(),
        )


async def apply(
    session: AsyncSession,
    dog_id: int,
    action: Action,
    actor: Person,
    *,
    note: str | None = None,
    vaccination: tuple[date, str | None] | None = None,
    prefix: str | None = None,
    now: datetime,
) -> Outcome:
    """`act` inside the caller's transaction (an immunisation day marks the booking in the same
    one). IMMUNISE takes the day as `vaccination`, with the new certificate number if staff
    gave one (None: the old one is kept)."""
    dog = await _dog_for(session, dog_id, action, actor)
    if action is Action.APPROVE:
        dog.number = dog.number or rules.dog_number(await case_prefix(session, prefix), dog.id)
        dog.approved_at = now
        dog.return_reason = None
    elif action is Action.RETURN:
        if note not in RETURN_REASONS:
            raise DogError("error.stale_button")
        dog.return_reason = note
    elif action is Action.VACCINATE:  # checked; renewed only once staff confirm it
        note = _vaccination_note(dog, vaccination, now, note)
    elif action in (Action.CONFIRM_VACCINATION, Action.IMMUNISE):
        note = _vaccinate(dog, vaccination, now, note)
    return await _record(session, dog, action, actor, note, now)


def _vaccinate(
    dog: Dog, vaccination: tuple[date, str | None] | None, now: datetime, note: str | None
) -> str:
    note = _vaccination_note(dog, vaccination, now, note)
    assert vaccination is not None
    dog.vaccinated_on = vaccination[0]
    dog.certificate = vaccination[1] or dog.certificate
    return note


def _vaccination_note(
    dog: Dog, vaccination: tuple[date, str | None] | None, now: datetime, note: str | None
) -> str:
    """A newer vaccination, not in the future, as its audit note; DogError otherwise."""
    # `now` is UTC and the owner's today may be a day ahead of it (Asia/Shanghai before 08:00):
    # a date is in the future only once it is tomorrow everywhere (the handlers check the
    # local day itself).
    if vaccination is None or vaccination[0] > (now + EARLIEST_ZONE).date():
        raise DogError("dogs.future_date")
    if vaccination[0] <= dog.vaccinated_on:
        raise DogError("dogs.not_newer", date=dog.vaccinated_on.isoformat())
    return " ".join(part for part in (vaccination[0].isoformat(), vaccination[1], note) if part)


async def _dog_for(session: AsyncSession, dog_id: int, action: Action, actor: Person) -> Dog:
    dog = None
    if is_key(dog_id):
        dog = await session.get(Dog, dog_id, with_for_update=True, populate_existing=True)
    if dog is None:
        raise DogError("dogs.not_found")
    # whoever may not review the dog is told only that, not what became of it
    if RULES[action].reviewer and not await access.may_review(session, actor, dog):
        raise DogError("dogs.not_allowed")
    refusal = allowed(action, dog, actor)
    if refusal:
        raise DogError(refusal, number=dog.number or "")
    return dog


async def _record(
    session: AsyncSession, dog: Dog, action: Action, actor: Person, note: str | None, now: datetime
) -> Outcome:
    before = dog.status
    target = RULES[action].target
    if target is not None:
        dog.status = target
    dog.updated_at = now
    event = _event(dog, action, actor, before, note, now)
    session.add(event)
    await session.flush()
    kind = OWES.get(action)
    owed = await rows.owe(session, kind, dog.id, event.id, now) if kind else None
    return Outcome(dog, action, event, tell_owner=RULES[action].reviewer, owed=owed)


def _event(
    dog: Dog, action: Action, actor: Person, before: S | None, note: str | None, now: datetime
) -> DogEvent:
    return DogEvent(
        dog_id=dog.id,
        actor_id=actor.id,
        action=action.value,
        from_status=before.value if before else None,
        to_status=dog.status.value,
        note=note,
        created_at=now,
    )


def _check(details: Details, now: datetime) -> None:
    """The rules again on the server side (the conversation's data is not trusted)."""
    rules.check_name(details.name)
    rules.check_colour(details.colour)
    if rules.breed_code(details.breed) is None:
        rules.check_breed(details.breed)
    rules.check_certificate(details.certificate)
    if details.size not in rules.Size.__members__.values():
        raise DogError("error.stale_button")
    if details.sex not in rules.Sex.__members__.values():
        raise DogError("error.stale_button")
    if details.vaccinated_on > (now + EARLIEST_ZONE).date():
        raise DogError("dogs.future_date")


def _fill(dog: Dog, details: Details) -> None:
    for item in fields(details):
        setattr(dog, item.name, getattr(details, item.name))


async def reviewers(session: AsyncSession, dog: Dog) -> list[Person]:
    """Who reviews a dog: the officers of its grid and the leads of its community; when the
    community has none (or the dog has no place), the admins."""
    community = await access.community_of(session, dog.area_id)
    found: list[Person] = []
    if community is not None:
        staff = await session.scalars(
            select(Person).where(
                Person.banned.is_(False),
                ((Person.role == Role.OFFICER) & (Person.area_id == dog.area_id))
                | ((Person.role == Role.LEAD) & (Person.area_id == community)),
            )
        )
        found = list(staff)
    if not found:
        admins = await session.scalars(
            select(Person).where(Person.role == Role.ADMIN, Person.banned.is_(False))
        )
        found = list(admins)
    return found


async def dog_of_owner(database: Database, owner: Person, dog_id: int) -> Dog:
    """An owner's own dog (a forged id, or someone else's dog, is refused)."""
    async with database.sessions() as session:
        dog = await session.get(Dog, dog_id) if is_key(dog_id) else None
    if dog is None or dog.owner_id != owner.id:
        raise DogError("dogs.not_found")
    return dog


async def dogs_of(database: Database, owner: Person) -> list[Dog]:
    async with database.sessions() as session:
        rows = await session.scalars(select(Dog).where(Dog.owner_id == owner.id).order_by(Dog.id))
        return list(rows)
