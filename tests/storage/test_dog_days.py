"""Immunisation days on SQLite and PostgreSQL: who the announcement reaches, a full slot and a
second booking refused by the database (also when two owners race), attendance renewing the
vaccination (audited), the bookers' reminder the day before, and the figures."""

from __future__ import annotations

import asyncio
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from bot.dogs import bookings, days, figures
from bot.dogs.day_rules import parse_plan
from bot.dogs.rules import DogError
from bot.texts import Catalogue
from storage.db import Database
from storage.models import (
    Delivery,
    Dog,
    DogBooking,
    DogDaySlot,
    DogEvent,
    DogStatus,
    Notice,
    Person,
    Subscription,
    SubscriptionTopic,
)
from tests.storage.dog_street import a_dog
from tests.storage.test_access import Street, _street
from tests.storage.test_dogs import TZ, at

CATALOGUE = Catalogue.load()
T = CATALOGUE.translator("zh")
TODAY = date(2026, 12, 3)
DAY = date(2026, 12, 20)


async def _day(database: Database, author: Person, area_id: int | None, capacity: int = 2) -> int:
    plan = parse_plan(f"{DAY.isoformat()} 09:00-11:00 60 {capacity} 社区广场", TODAY)
    day = await days.draft(database, author, plan, area_id)
    await days.announce(database, day.id, author, "fallback", "dog")
    return day.id


async def _slots(database: Database, day_id: int) -> list[DogDaySlot]:
    seen = await days.view(database, day_id)
    assert seen is not None
    return seen.slots


async def test_the_announcement_reaches_owners_of_the_area_and_dog_topic_subscribers(
    database: Database,
) -> None:
    street = await _street(database)
    p = street.people
    await a_dog(database, p["reporter"], street.grid.id, DogStatus.APPROVED)
    await a_dog(database, p["far_officer"], street.elsewhere.id, DogStatus.APPROVED)
    await a_dog(database, p["officer"], street.grid.id)  # pending: not registered yet
    async with database.transaction() as session:
        session.add_all(
            [
                Subscription(person_id=p["neighbour"].id, area_id=street.community.id),
                SubscriptionTopic(person_id=p["neighbour"].id, topic="dog"),
                Subscription(person_id=p["sibling_officer"].id, area_id=street.community.id),
                SubscriptionTopic(person_id=p["sibling_officer"].id, topic="fire"),
            ]
        )
    with pytest.raises(DogError):  # a lead announces only in their own community
        await days.area_for(database, p["far_lead"], "C1")
    area = await days.area_for(database, p["lead"], None)
    assert area == street.community.id
    day_id = await _day(database, p["lead"], area)
    async with database.sessions() as session:
        notice = await session.scalar(select(Notice).where(Notice.subject_id == day_id))
        assert notice is not None
        assert notice.subject_kind == days.SUBJECT
        reached = set(
            (
                await session.scalars(
                    select(Delivery.person_id).where(Delivery.notice_id == notice.id)
                )
            ).all()
        )
    assert reached == {p["reporter"].id, p["neighbour"].id}
    with pytest.raises(DogError) as again:
        await days.announce(database, day_id, p["lead"], "fallback", "dog")
    assert again.value.key == "dogday.already_announced"
    seen = await days.view(database, day_id)
    assert seen is not None
    text = days.describe(T, seen)
    assert "社区广场" in text
    assert "09:00-10:00" in text


async def test_a_full_slot_and_a_second_booking_are_refused(database: Database) -> None:
    street = await _street(database)
    p = street.people
    first = await a_dog(database, p["reporter"], street.grid.id, DogStatus.APPROVED)
    second = await a_dog(database, p["neighbour"], street.grid.id, DogStatus.APPROVED, name="小黑")
    day_id = await _day(database, p["admin"], None, capacity=1)
    early, late = await _slots(database, day_id)
    await bookings.book(database, p["reporter"], early.id, first.id, TODAY)
    with pytest.raises(DogError) as twice:
        await bookings.book(database, p["reporter"], late.id, first.id, TODAY)
    assert twice.value.key == "dogday.already_booked"
    with pytest.raises(DogError) as full:
        await bookings.book(database, p["neighbour"], early.id, second.id, TODAY)
    assert full.value.key == "dogday.full"
    with pytest.raises(DogError) as forged:  # someone else's dog
        await bookings.book(database, p["neighbour"], late.id, first.id, TODAY)
    assert forged.value.key == "dogs.not_found"
    with pytest.raises(DogError) as over:
        await bookings.book(database, p["neighbour"], late.id, second.id, DAY + timedelta(days=1))
    assert over.value.key == "dogday.over"
    assert [s.booked for s in await _slots(database, day_id)] == [1, 0]


async def test_two_owners_racing_for_the_last_place_one_wins(database: Database) -> None:
    street = await _street(database)
    p = street.people
    dogs = [
        await a_dog(database, p[who], street.grid.id, DogStatus.APPROVED, name=who[:6])
        for who in ("reporter", "neighbour")
    ]
    day_id = await _day(database, p["admin"], None, capacity=1)
    slot = (await _slots(database, day_id))[0]
    results = await asyncio.gather(
        *(
            bookings.book(database, p[w], slot.id, d.id, TODAY)
            for w, d in zip(("reporter", "neighbour"), dogs, strict=True)
        ),
        return_exceptions=True,
    )
    assert sorted(type(r).__name__ for r in results) == ["Booked", "DogError"]
    assert [r.key for r in results if isinstance(r, DogError)] == ["dogday.full"]
    # and one dog racing into two slots gets one booking
    other = await a_dog(database, p["reporter"], street.grid.id, DogStatus.APPROVED, name="三")
    slots = await _slots(database, day_id)
    both = await asyncio.gather(
        bookings.book(database, p["reporter"], slots[1].id, other.id, TODAY),
        bookings.book(database, p["reporter"], slots[1].id, other.id, TODAY),
        return_exceptions=True,
    )
    assert sum(isinstance(r, DogError) for r in both) == 1
    async with database.sessions() as session:
        assert len((await session.scalars(select(DogBooking))).all()) == 2
    assert [s.booked for s in await _slots(database, day_id)] == [1, 1]


async def _booked(database: Database, street: Street) -> bookings.Booked:
    """The reporter's approved dog (vaccinated 2025-11-01) booked on the community's day."""
    p = street.people
    dog = await a_dog(
        database, p["reporter"], street.grid.id, DogStatus.APPROVED, vaccinated_on=date(2025, 11, 1)
    )
    day_id = await _day(database, p["lead"], street.community.id)
    slot = (await _slots(database, day_id))[0]
    return await bookings.book(database, p["reporter"], slot.id, dog.id, TODAY)


async def test_staff_mark_who_came_which_renews_the_vaccination(database: Database) -> None:
    street = await _street(database)
    p = street.people
    booked = await _booked(database, street)
    dog = booked.dog
    with pytest.raises(DogError) as early:
        await bookings.attend(database, CATALOGUE, booked.booking.id, p["lead"], TODAY)
    assert early.value.key == "dogday.not_yet"
    for stranger in (p["far_lead"], p["neighbour"]):
        with pytest.raises(DogError):
            await bookings.attend(database, CATALOGUE, booked.booking.id, stranger, DAY, at(DAY))
    came = await bookings.attend(database, CATALOGUE, booked.booking.id, p["officer"], DAY, at(DAY))
    assert came.dog.vaccinated_on == DAY
    with pytest.raises(DogError) as again:
        await bookings.attend(database, CATALOGUE, booked.booking.id, p["lead"], DAY, at(DAY))
    assert again.value.key == "dogday.already_attended"
    async with database.sessions() as session:
        renewed = await session.get(Dog, dog.id)
        assert renewed is not None
        assert renewed.vaccinated_on == DAY
        assert renewed.certificate == "CD-2026-001"  # the old one is kept
        event = await session.scalar(select(DogEvent).where(DogEvent.action == "immunise"))
        assert event is not None
        assert event.actor_id == p["officer"].id
        told = await session.scalar(select(Notice).order_by(Notice.id.desc()))
        assert told is not None
        assert "已在免疫日接种" in told.text
    found = await figures.figures(database, p["lead"], DAY)
    [community] = found.communities
    assert (community.registered, community.lapsed) == (1, 0)
    assert figures.vaccinated_share(community) == 1.0
    [row] = found.days
    assert (row.capacity, row.booked, row.attended) == (4, 1, 1)
    assert "1/4" in "\n".join(figures.lines(T, found))


async def test_a_new_certificate_at_attendance_is_kept_with_the_renewal(
    database: Database,
) -> None:
    street = await _street(database)
    p = street.people
    booked = await _booked(database, street)
    dog, booking_id = booked.dog, booked.booking.id
    # asked before the number: the same refusals as marking itself
    for who, today, key in (
        (p["lead"], TODAY, "dogday.not_yet"),
        (p["far_lead"], DAY, "dogs.not_allowed"),
        (p["neighbour"], DAY, "dogs.not_allowed"),
    ):
        with pytest.raises(DogError) as refused:
            await bookings.attendable(database, booking_id, who, today)
        assert refused.value.key == key
    with pytest.raises(DogError) as forged:
        await bookings.attendable(database, 2**70, p["lead"], DAY)
    assert forged.value.key == "dogday.not_found"
    assert (await bookings.attendable(database, booking_id, p["officer"], DAY)).dog.id == dog.id
    with pytest.raises(DogError) as bad:
        await bookings.attend(
            database, CATALOGUE, booking_id, p["officer"], DAY, at(DAY), certificate="无"
        )
    assert bad.value.key == "dogs.bad_certificate"
    came = await bookings.attend(
        database, CATALOGUE, booking_id, p["officer"], DAY, at(DAY), certificate=" CD-2026-777 "
    )
    assert (came.dog.vaccinated_on, came.dog.certificate) == (DAY, "CD-2026-777")
    async with database.sessions() as session:
        renewed = await session.get(Dog, dog.id)
        assert renewed is not None
        assert (renewed.vaccinated_on, renewed.certificate) == (DAY, "CD-2026-777")
        event = await session.scalar(select(DogEvent).where(DogEvent.action == "immunise"))
        assert event is not None
        assert event.note is not None
        assert "CD-2026-777" in event.note
    with pytest.raises(DogError) as again:
        await bookings.attendable(database, booking_id, p["officer"], DAY)
    assert again.value.key == "dogday.already_attended"


async def test_bookers_are_reminded_once_the_day_before(database: Database) -> None:
    street = await _street(database)
    p = street.people
    dog = await a_dog(database, p["reporter"], street.grid.id, DogStatus.APPROVED)
    day_id = await _day(database, p["admin"], None)
    slot = (await _slots(database, day_id))[1]
    await bookings.book(database, p["reporter"], slot.id, dog.id, TODAY)
    assert await bookings.remind_bookers(database, CATALOGUE, TZ, at(DAY - timedelta(days=2))) == 0
    assert await bookings.remind_bookers(database, CATALOGUE, TZ, at(DAY - timedelta(days=1))) == 1
    assert (
        await bookings.remind_bookers(database, CATALOGUE, TZ, at(DAY - timedelta(days=1), 20)) == 0
    )
    async with database.sessions() as session:
        told = await session.scalar(select(Notice).order_by(Notice.id.desc()))
    assert told is not None
    assert "10:00-11:00" in told.text
