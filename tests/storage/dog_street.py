"""A dog in grid C1-1 of the street of tests/storage/test_access.py, owned by its reporter."""

from __future__ import annotations

from datetime import date

from sqlalchemy import update

from bot.dogs import registry
from storage.db import Database
from storage.models import Dog, DogStatus, Person


def details(area_id: int | None, vaccinated_on: date, name: str = "旺财") -> registry.Details:
    return registry.Details(
        name=name,
        breed="corgi",
        colour="黄白",
        size="small",
        sex="male",
        photo_file_id="photo-file",
        photo_unique_id="photo-unique",
        vaccinated_on=vaccinated_on,
        certificate="CD-2026-001",
        area_id=area_id,
    )


async def a_dog(
    database: Database,
    owner: Person,
    area_id: int | None,
    status: DogStatus = DogStatus.PENDING,
    vaccinated_on: date = date(2026, 1, 10),
    name: str = "旺财",
) -> Dog:
    outcome = await registry.register(
        database, owner, details(area_id, vaccinated_on, name), restricted=False
    )
    if status is not DogStatus.PENDING:
        async with database.transaction() as session:
            await session.execute(
                update(Dog)
                .where(Dog.id == outcome.dog.id)
                .values(status=status, number=f"S-D{outcome.dog.id:06d}")
            )
    return outcome.dog
