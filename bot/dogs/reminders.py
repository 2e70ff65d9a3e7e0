"""The rabies vaccination's lapse reminders: 30 and 7 days before, and once when it lapsed.

One transaction per tick finds the dogs due at each stage (furthest stage first, so a dog that
is already lapsed gets only that one), records each reminder in `dog_reminders` (one row per
dog, vaccination date and stage: never sent twice, whatever restarts) and queues its message in
the notices' outbox, which the sender delivers. A newer vaccination starts the reminders afresh.
With two instances, the second waits on the first's rows and finds nothing left to insert.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, tzinfo

from sqlalchemy import exists, literal, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession

from bot.dogs import rules
from bot.dogs.rules import Stage
from bot.notices import outbox
from bot.texts import Catalogue
from storage.db import Database
from storage.models import Dog, DogReminder, DogStatus, Notice, Person
from storage.types import utcnow

log = logging.getLogger(__name__)


async def queue_reminders(
    database: Database, catalogue: Catalogue, tz: tzinfo, now: datetime | None = None
) -> int:
    """Queue every reminder due today (local day in `tz`); returns how many were queued."""
    now = now or utcnow()
    today = now.astimezone(tz).date()
    queued = 0
    async with database.transaction() as session:
        for stage in sorted(Stage, reverse=True):
            threshold = rules.latest_vaccination_due(today + timedelta(days=stage.days_before))
            for dog_id in await _claim(session, stage, threshold, now):
                await _queue(session, catalogue, dog_id, stage)
                queued += 1
    if queued:
        log.info("dog vaccination reminders queued: %s", queued)
    return queued


async def _claim(
    session: AsyncSession, stage: Stage, threshold: object, now: datetime
) -> list[int]:
    """Record the reminders of a stage that are due and not yet (or further) sent."""
    sent = select(DogReminder.dog_id).where(
        DogReminder.dog_id == Dog.id,
        DogReminder.vaccinated_on == Dog.vaccinated_on,
        DogReminder.stage >= int(stage),
    )
    due = select(Dog.id, Dog.vaccinated_on, literal(int(stage)), literal(now)).where(
        Dog.status == DogStatus.APPROVED, Dog.vaccinated_on <= threshold, ~exists(sent)
    )
    dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
    statement = (
        dialect.insert(DogReminder)
        .from_select(["dog_id", "vaccinated_on", "stage", "created_at"], due)
        .on_conflict_do_nothing()
        .returning(DogReminder.dog_id)
    )
    return list((await session.scalars(statement)).all())


async def _queue(session: AsyncSession, catalogue: Catalogue, dog_id: int, stage: Stage) -> None:
    dog = await session.get(Dog, dog_id)
    assert dog is not None
    owner = await session.get(Person, dog.owner_id)
    assert owner is not None
    t = catalogue.translator_for(owner.language, owner.tg_language)
    text = t(
        f"dogs.remind_{int(stage)}",
        name=dog.name,
        number=dog.number or "",
        date=rules.lapses_on(dog.vaccinated_on).isoformat(),
    )
    notice = await outbox.add_notice(
        session, Notice(text=text), select(Person).where(Person.id == owner.id)
    )
    await session.execute(
        update(DogReminder)
        .where(
            DogReminder.dog_id == dog.id,
            DogReminder.vaccinated_on == dog.vaccinated_on,
            DogReminder.stage == int(stage),
        )
        .values(notice_id=notice.id)
    )
