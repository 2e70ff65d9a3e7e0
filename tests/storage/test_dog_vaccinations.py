"""Newer vaccinations by certificate photo on SQLite and PostgreSQL: what the owner may send
(newer, not in the future, one waiting at a time, their own dog), who may confirm or refuse it
(the dog's community's staff and admins, once), that only a confirmation renews the dog, and
that the owner is told through the outbox either way."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import select

from bot.dogs import vaccinations
from bot.dogs.rules import DogError
from bot.texts import Catalogue
from storage.db import Database
from storage.models import Dog, DogEvent, DogStatus, Notice
from tests.storage.dog_street import a_dog
from tests.storage.test_access import _street
from tests.storage.test_dogs import at

CATALOGUE = Catalogue.load()
NOW = at(date(2026, 6, 1))
PHOTO = vaccinations.Photo("certificate-file", "certificate-unique")


async def _dog(database: Database, dog_id: int) -> Dog:
    async with database.sessions() as session:
        dog = await session.get(Dog, dog_id)
    assert dog is not None
    return dog


async def test_what_an_owner_may_send(database: Database) -> None:
    street = await _street(database)
    owner = street.people["reporter"]
    dog = await a_dog(database, owner, street.grid.id, DogStatus.APPROVED, date(2026, 1, 10))
    for who, day, certificate, key in (
        (owner, date(2026, 9, 1), "CD-2026-100", "dogs.future_date"),
        (owner, date(2026, 1, 10), "CD-2026-100", "dogs.not_newer"),
        (owner, date(2026, 5, 1), "无", "dogs.bad_certificate"),
        (street.people["neighbour"], date(2026, 5, 1), "CD-2026-100", "dogs.not_allowed"),
        (street.people["lead"], date(2026, 5, 1), "CD-2026-100", "dogs.not_allowed"),
    ):
        with pytest.raises(DogError) as refused:
            await vaccinations.send(database, who, dog.id, (day, certificate), PHOTO, NOW)
        assert refused.value.key == key
    sent = await vaccinations.send(
        database, owner, dog.id, (date(2026, 5, 1), "CD-2026-100"), PHOTO, NOW
    )
    assert {p.name for p in sent.reviewers} == {"本网格", "本社区"}
    with pytest.raises(DogError) as waiting:
        await vaccinations.send(database, owner, dog.id, (date(2026, 5, 2), "CD-2026-101"), PHOTO)
    assert waiting.value.key == "dogs.vaccination_waiting"
    assert (await _dog(database, dog.id)).vaccinated_on == date(2026, 1, 10)  # not yet


async def test_only_the_communitys_staff_decide_once_and_only_a_confirmation_renews(
    database: Database,
) -> None:
    street = await _street(database)
    p = street.people
    owner = p["reporter"]
    dog = await a_dog(database, owner, street.grid.id, DogStatus.APPROVED, date(2026, 1, 10))
    first = await vaccinations.send(
        database, owner, dog.id, (date(2026, 5, 1), "CD-2026-100"), PHOTO, NOW
    )
    for who in ("far_lead", "far_officer", "neighbour", "reporter", "banned_admin"):
        with pytest.raises(DogError) as refused:
            await vaccinations.decide(database, CATALOGUE, first.claim.id, p[who], True, NOW)
        assert refused.value.key == "dogs.not_allowed"
    with pytest.raises(DogError) as forged:
        await vaccinations.decide(database, CATALOGUE, 2**40, p["lead"], True, NOW)
    assert forged.value.key == "dogs.not_found"
    await vaccinations.decide(database, CATALOGUE, first.claim.id, p["lead"], False, NOW)
    with pytest.raises(DogError) as again:
        await vaccinations.decide(database, CATALOGUE, first.claim.id, p["officer"], True, NOW)
    assert again.value.key == "dogs.vaccination_decided"
    assert (await _dog(database, dog.id)).vaccinated_on == date(2026, 1, 10)

    second = await vaccinations.send(
        database, owner, dog.id, (date(2026, 5, 2), "CD-2026-200"), PHOTO, NOW
    )
    done = await vaccinations.decide(database, CATALOGUE, second.claim.id, p["admin"], True, NOW)
    assert done.claim.status == "confirmed"
    renewed = await _dog(database, dog.id)
    assert (renewed.vaccinated_on, renewed.certificate) == (date(2026, 5, 2), "CD-2026-200")
    async with database.sessions() as session:
        events = (
            await session.scalars(
                select(DogEvent).where(DogEvent.dog_id == dog.id).order_by(DogEvent.id)
            )
        ).all()
        notices = list(await session.scalars(select(Notice.text).order_by(Notice.id)))
    assert [(e.action, e.actor_id) for e in events][-4:] == [
        ("vaccinate", owner.id),
        ("refuse_vaccination", p["lead"].id),
        ("vaccinate", owner.id),
        ("confirm_vaccination", p["admin"].id),
    ]
    assert "CD-2026-200" in (events[-1].note or "")
    assert any("未能核实" in text for text in notices)
    assert "2027-05-02 到期" in notices[-1]
