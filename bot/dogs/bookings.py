"""Booking a slot of an immunisation day, the bookers' reminder the day before, and staff
marking who came (which renews the dog's vaccination through the registry, audited).

A slot's capacity is checked by the database in the booking's own statement
(`UPDATE … SET booked = booked + 1 WHERE booked < capacity`): of two owners racing for the
last place one gets the row, the other finds it full. One booking per dog and day is a unique
constraint, so a second booking fails whatever the timing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dogs import access, registry, rules
from bot.dogs.registry import Action
from bot.dogs.rules import DogError
from bot.notices import outbox
from bot.places.tree import within
from bot.texts import Catalogue
from storage.db import Database
from storage.models import Dog, DogBooking, DogDay, DogDaySlot, DogStatus, Notice, Person
from storage.types import is_key, utcnow

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Booked:
    booking: DogBooking
    dog: Dog
    day: DogDay
    slot: DogDaySlot


def _valid(some_id: int) -> bool:
    return is_key(some_id)


async def _open_slot(session: AsyncSession, slot_id: int, today: date) -> tuple[DogDaySlot, DogDay]:
    slot = await session.get(DogDaySlot, slot_id) if _valid(slot_id) else None
    day = await session.get(DogDay, slot.day_id) if slot is not None else None
    if slot is None or day is None or day.announced_at is None:
        raise DogError("dogday.not_found")
    if day.day < today:
        raise DogError("dogday.over")
    return slot, day


async def bookable(database: Database, owner: Person, slot_id: int, today: date) -> list[Dog]:
    """The owner's registered dogs in the day's area that are not booked for it yet."""
    async with database.sessions() as session:
        _, day = await _open_slot(session, slot_id, today)
        query = select(Dog).where(Dog.owner_id == owner.id, Dog.status == DogStatus.APPROVED)
        if day.area_id is not None:
            query = query.where(Dog.area_id.in_(await within(session, [day.area_id])))
        booked = select(DogBooking.dog_id).where(DogBooking.day_id == day.id)
        rows = await session.scalars(query.where(Dog.id.not_in(booked)).order_by(Dog.id))
        return list(rows.all())


async def book(database: Database, owner: Person, slot_id: int, dog_id: int, today: date) -> Booked:
    """Book the owner's dog into a slot; DogError when it is full, the dog is booked already,
    or it is not the owner's registered dog of the area."""
    try:
        async with database.transaction() as session:
            slot, day = await _open_slot(session, slot_id, today)
            dog = await session.get(Dog, dog_id) if _valid(dog_id) else None
            if dog is None or dog.owner_id != owner.id or dog.status != DogStatus.APPROVED:
                raise DogError("dogs.not_found")
            if day.area_id is not None and dog.area_id not in await within(session, [day.area_id]):
                raise DogError("dogday.not_in_area", name=dog.name)
            if await session.scalar(
                select(DogBooking.id).where(
                    DogBooking.day_id == day.id, DogBooking.dog_id == dog.id
                )
            ):
                raise DogError("dogday.already_booked", name=dog.name)
            taken = await session.scalar(
                update(DogDaySlot)
                .where(DogDaySlot.id == slot.id, DogDaySlot.booked < DogDaySlot.capacity)
                .values(booked=DogDaySlot.booked + 1)
                .returning(DogDaySlot.id)
            )
            if taken is None:
                raise DogError("dogday.full")
            booking = DogBooking(day_id=day.id, slot_id=slot.id, dog_id=dog.id, owner_id=owner.id)
            session.add(booking)
            await session.flush()
            return Booked(booking, dog, day, slot)
    except IntegrityError as clash:  # the same dog booked at the same moment elsewhere
        raise DogError("dogday.already_booked", name="") from clash


async def attendable(database: Database, booking_id: int, staff: Person, today: date) -> Booked:
    """Whether staff may mark this booking's dog as come, asked before the certificate number
    (DogError says why not); `attend` checks it all again."""
    async with database.sessions() as session:
        booking, day, slot = await _attending(session, booking_id, today, staff)
        dog = await session.get(Dog, booking.dog_id)
        assert dog is not None
        refusal = registry.allowed(Action.IMMUNISE, dog, staff)
        if refusal is None and not await access.may_review(session, staff, dog):
            refusal = "dogs.not_allowed"
        if refusal:
            raise DogError(refusal, number=dog.number or "")
        return Booked(booking, dog, day, slot)


async def attend(
    database: Database,
    catalogue: Catalogue,
    booking_id: int,
    staff: Person,
    today: date,
    now: datetime | None = None,
    certificate: str | None = None,
) -> Booked:
    """Staff mark that a booked dog came: the booking is marked, the dog's vaccination becomes
    the day's, with the new certificate number if staff gave one (audited as IMMUNISE by the
    registry, which checks the staff's community) and the owner is told through the outbox,
    all in one transaction."""
    now = now or utcnow()
    if certificate is not None:
        certificate = rules.check_certificate(certificate)
    async with database.transaction() as session:
        booking, day, slot = await _attending(session, booking_id, today, staff, lock=True)
        outcome = await registry.apply(
            session,
            booking.dog_id,
            Action.IMMUNISE,
            staff,
            vaccination=(day.day, certificate),
            note=f"dog day {day.id}",
            now=now,
        )
        booking.attended_at, booking.attended_by = now, staff.id
        await tell_owner(
            session,
            catalogue,
            booking.owner_id,
            "dogday.owner_attended",
            name=outcome.dog.name,
            date=day.day.isoformat(),
        )
        return Booked(booking, outcome.dog, day, slot)


async def _attending(
    session: AsyncSession, booking_id: int, today: date, staff: Person, lock: bool = False
) -> tuple[DogBooking, DogDay, DogDaySlot]:
    """A booking whose day has come and whose dog is not marked yet, of a dog `staff` may
    review: whoever may not is told only that, nothing of the day."""
    booking = (
        await session.get(DogBooking, booking_id, with_for_update=lock)
        if _valid(booking_id)
        else None
    )
    if booking is None:
        raise DogError("dogday.not_found")
    dog = await session.get(Dog, booking.dog_id)
    if dog is None or not await access.may_review(session, staff, dog):
        raise DogError("dogs.not_allowed")
    day = await session.get(DogDay, booking.day_id)
    slot = await session.get(DogDaySlot, booking.slot_id)
    assert day is not None
    assert slot is not None
    if day.day > today:
        raise DogError("dogday.not_yet")
    if booking.attended_at is not None:
        raise DogError("dogday.already_attended")
    return booking, day, slot


async def tell_owner(
    session: AsyncSession, catalogue: Catalogue, owner_id: int, key: str, **values: object
) -> None:
    """A message to one owner, in their language, through the outbox."""
    owner = await session.get(Person, owner_id)
    if owner is None:
        return
    t = catalogue.translator_for(owner.language, owner.tg_language)
    await outbox.add_notice(
        session, Notice(text=t(key, **values)), select(Person).where(Person.id == owner.id)
    )


async def remind_bookers(
    database: Database, catalogue: Catalogue, tz: tzinfo, now: datetime | None = None
) -> int:
    """The day before an immunisation day (or on the day, if the bot was away), each owner
    with a booking is reminded once, through the outbox; returns how many reminders."""
    now = now or utcnow()
    today = now.astimezone(tz).date()
    sent = 0
    async with database.transaction() as session:
        claimed = await session.scalars(
            update(DogDay)
            .where(
                DogDay.announced_at.is_not(None),
                DogDay.reminded_at.is_(None),
                DogDay.day >= today,
                DogDay.day <= today + timedelta(days=1),
            )
            .values(reminded_at=now)
            .returning(DogDay.id)
        )
        for day_id in list(claimed.all()):
            sent += await _remind_day(session, catalogue, day_id)
    if sent:
        log.info("immunisation day reminders queued: %s", sent)
    return sent


async def _remind_day(session: AsyncSession, catalogue: Catalogue, day_id: int) -> int:
    day = await session.get(DogDay, day_id)
    assert day is not None
    rows = await session.execute(
        select(DogBooking.owner_id, Dog.name, DogDaySlot.starts, DogDaySlot.ends)
        .join(Dog, Dog.id == DogBooking.dog_id)
        .join(DogDaySlot, DogDaySlot.id == DogBooking.slot_id)
        .where(DogBooking.day_id == day_id, Dog.status == DogStatus.APPROVED)
        .order_by(DogBooking.owner_id, DogDaySlot.starts)
    )
    by_owner: dict[int, list[str]] = {}
    for owner_id, name, starts, ends in rows:
        by_owner.setdefault(owner_id, []).append(f"{name} {starts}-{ends}")
    for owner_id, lines in by_owner.items():
        await tell_owner(
            session,
            catalogue,
            owner_id,
            "dogday.reminder",
            date=day.day.isoformat(),
            place=day.place,
            dogs=", ".join(lines),
        )
    return len(by_owner)


async def bookings(database: Database, day_id: int, viewer: Person) -> list[Booked]:
    """A day's bookings of the dogs the staff member may see (admins: all), by slot."""
    async with database.sessions() as session:
        areas = await access.register_areas(session, viewer)
        query = (
            select(DogBooking, Dog, DogDay, DogDaySlot)
            .join(Dog, Dog.id == DogBooking.dog_id)
            .join(DogDay, DogDay.id == DogBooking.day_id)
            .join(DogDaySlot, DogDaySlot.id == DogBooking.slot_id)
            .where(DogBooking.day_id == day_id)
            .order_by(DogDaySlot.starts, DogBooking.id)
        )
        if areas is not None:
            query = query.where(Dog.area_id.in_(areas))
        return [Booked(*row) for row in (await session.execute(query)).all()]
