"""Who may file a report now: a banned person never; a resident at most REPORTS_PER_HOUR an hour
(a flood guard); staff on patrol as many as they find."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from sqlalchemy import select

from bot.errors import PoliteError
from storage.db import Database
from storage.models import Case, Person, Role
from storage.types import utcnow


async def check_may_file(
    database: Database, person: Person, per_hour: int, tz: tzinfo, now: datetime | None = None
) -> None:
    """Refuse politely (with the time the person may file again) when they may not file now."""
    if person.banned:
        raise PoliteError("report.banned")
    if person.role != Role.RESIDENT:
        return
    again = await next_allowed_at(database, person.id, per_hour, now)
    if again is not None:
        when = again.astimezone(tz).strftime("%H:%M")
        raise PoliteError("report.rate_limited", limit=per_hour, when=when)


async def next_allowed_at(
    database: Database, person_id: int, per_hour: int, now: datetime | None = None
) -> datetime | None:
    """When a resident who filed `per_hour` reports in the last hour may file again (or None)."""
    now = now or utcnow()
    async with database.sessions() as session:
        rows = await session.scalars(
            select(Case.submitted_at)
            .where(Case.reporter_id == person_id, Case.submitted_at > now - timedelta(hours=1))
            .order_by(Case.submitted_at.desc())
            .limit(per_hour)
        )
        recent = [at for at in rows if at is not None]
    if len(recent) < per_hour:
        return None
    return recent[-1] + timedelta(hours=1)
