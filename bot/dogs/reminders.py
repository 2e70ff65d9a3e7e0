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
from storage.models import Dog, DogReminder, DogStatus, Person
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
            claimed = await _claim(session, stage, threshold, now)
            queued += await _queue(session, catalogue, claimed, stage)
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


async def _queue(
    session: AsyncSession, catalogue: Catalogue, dog_ids: list[int], stage: Stage
) -> int:
    """Each claimed reminder as a letter to its owner in their language, in a few statements:
    a day's reminders for a register of 100,000 dogs are some hundreds (bench/dogs.py)."""
    if not dog_ids:
        return 0
    rows = (
        await session.execute(
            select(Dog.id, Dog.name, Dog.number, Dog.vaccinated_on, Person)
            .join(Person, Person.id == Dog.owner_id)
            .where(Dog.id.in_(dog_ids))
            .order_by(Dog.id)
        )
    ).all()
    letters = []
    for _, name, number, vaccinated_on, owner in rows:
        t = catalogue.translator_for(owner.language, owner.tg_language)
        text = t(
            f"dogs.remind_{int(stage)}",
            name=name,
            number=number or "",
            date=rules.lapses_on(vaccinated_on).isoformat(),
        )
        letters.append(outbox.Letter(owner.id, owner.tg_id, owner.reachable, text))
    notices = await outbox.add_letters(session, letters)
    await session.execute(
        update(DogReminder),
        [
            {"dog_id": dog_id, "vaccinated_on": vaccinated_on, "stage": int(stage), "notice_id": n}
            for (dog_id, _, _, vaccinated_on, _), n in zip(rows, notices, strict=True)
        ],
    )
    return len(rows)
