"""Doing an occurrence in chat: start it, tick its checklist, file finds from inside it, add
photos and finish it with a summary. Every step checks on the server that the person may do
this duty (a forged button for another's occurrence is refused) and that the occurrence is
still open; once started, it is the starter's to finish."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update

from bot.duties import reports, track
from bot.duties.people import may_do, may_do_now
from bot.errors import PoliteError
from bot.people import groups
from bot.reports import drafts
from storage.db import Database
from storage.models import Case, CaseStatus, Duty, DutyFind, DutyOccurrence, Person
from storage.types import utcnow
from storage.upsert import insert_if_absent

SUMMARY_MAX = 500
MAX_PHOTOS = 10
LISTED = 10  # open occurrences shown at once


class DutyError(PoliteError):
    """Not this person's occurrence, already done, or not ready to finish."""


@dataclass(frozen=True)
class Turn:
    """An occurrence with its duty and the finds filed from it."""

    occurrence: DutyOccurrence
    duty: Duty
    finds: int

    @property
    def ready(self) -> bool:
        return len(set(self.occurrence.checked)) == len(self.duty.checklist)


async def open_for(database: Database, person: Person) -> list[Turn]:
    """The person's occurrences not done yet, newest first."""
    async with database.sessions() as session:
        rows = (
            await session.execute(
                select(DutyOccurrence, Duty)
                .join(Duty, Duty.id == DutyOccurrence.duty_id)
                .where(DutyOccurrence.done_at.is_(None), Duty.role == person.role)
                .order_by(DutyOccurrence.starts_at.desc(), Duty.name)
            )
        ).all()
    group_id = await groups.group_of(database, person)
    mine = [(o, d) for o, d in rows if may_do(person, d, group_id)][:LISTED]
    return [Turn(o, d, await _finds(database, o.id)) for o, d in mine]


async def _finds(database: Database, occurrence_id: int) -> int:
    async with database.sessions() as session:
        counted = await session.scalar(
            select(func.count())
            .select_from(DutyFind)
            .join(Case, Case.id == DutyFind.case_id)
            .where(DutyFind.occurrence_id == occurrence_id, Case.status != CaseStatus.DRAFT)
        )
    return int(counted or 0)


async def turn(database: Database, occurrence_id: int, person: Person) -> Turn:
    """The person's open occurrence, or a polite refusal."""
    async with database.sessions() as session:
        occurrence = await session.get(DutyOccurrence, occurrence_id)
        duty = await session.get(Duty, occurrence.duty_id) if occurrence else None
    if occurrence is None or duty is None or not await may_do_now(database, person, duty):
        raise DutyError("duties.not_yours")
    if occurrence.done_at is not None:
        raise DutyError("duties.already_done")
    if occurrence.started_by_id not in (None, person.id):
        raise DutyError("duties.taken")
    return Turn(occurrence, duty, await _finds(database, occurrence.id))


async def start(database: Database, occurrence_id: int, person: Person) -> Turn:
    """Start the occurrence (or go on with the one the person started)."""
    await turn(database, occurrence_id, person)
    async with database.transaction() as session:
        await session.execute(
            update(DutyOccurrence)
            .where(DutyOccurrence.id == occurrence_id, DutyOccurrence.started_by_id.is_(None))
            .values(started_by_id=person.id, started_at=utcnow())
        )
    return await turn(database, occurrence_id, person)  # someone else may have been quicker


async def toggle(database: Database, occurrence_id: int, person: Person, item: int) -> Turn:
    """Tick an item of the checklist, or untick it."""
    current = await start(database, occurrence_id, person)
    if not 0 <= item < len(current.duty.checklist):
        raise DutyError("duties.not_yours")
    checked = set(current.occurrence.checked) ^ {item}
    await _set(database, occurrence_id, person, checked=sorted(checked))
    return await turn(database, occurrence_id, person)


async def add_photo(database: Database, occurrence_id: int, person: Person, file_id: str) -> int:
    """Keep a photo of the occurrence; returns how many it has."""
    current = await start(database, occurrence_id, person)
    photos = list(current.occurrence.photo_ids)
    if len(photos) >= MAX_PHOTOS:
        raise DutyError("duties.too_many_photos", most=MAX_PHOTOS)
    photos.append(file_id)
    await _set(database, occurrence_id, person, photo_ids=photos)
    return len(photos)


async def check_ready(database: Database, occurrence_id: int, person: Person) -> Turn:
    """The occurrence may be finished: every item ticked, and the patrol track walked when the
    duty requires one."""
    current = await start(database, occurrence_id, person)
    if not current.ready:
        raise DutyError("duties.tick_all")
    if current.duty.track and not (await track.of(database, occurrence_id)).walked:
        raise DutyError("duties.track_required")
    return current


async def check_summary(
    database: Database, occurrence_id: int, person: Person, summary: str
) -> Turn:
    """The occurrence may be finished with this summary (and its photos, when required)."""
    current = await check_ready(database, occurrence_id, person)
    summary = summary.strip()
    if not summary or len(summary) > SUMMARY_MAX:
        raise DutyError("duties.bad_summary", most=SUMMARY_MAX)
    if current.duty.photos and not current.occurrence.photo_ids:
        raise DutyError("duties.photos_required")
    return current


async def finish(
    database: Database,
    occurrence_id: int,
    person: Person,
    summary: str,
    now: datetime | None = None,
    figures: dict[str, int] | None = None,
) -> Turn:
    """Finish with a short summary (and photos when the duty asks for them; a report duty's
    figures, every one valid), once."""
    current = await check_summary(database, occurrence_id, person, summary)
    filed = reports.checked(current.duty, figures)
    values: dict[str, object] = {"summary": summary.strip(), "done_at": now or utcnow()}
    if filed is not None:  # no JSON null for a duty without figures: it stays SQL NULL
        values["figures"] = filed
    if not await _set(database, occurrence_id, person, **values):
        raise DutyError("duties.already_done")
    async with database.sessions() as session:
        occurrence = await session.get_one(DutyOccurrence, occurrence_id)
    return Turn(occurrence, current.duty, current.finds)


async def start_find(database: Database, occurrence_id: int, person: Person) -> Case:
    """A draft report of something found while doing the occurrence: an officer's find
    (自行发现), linked to the occurrence."""
    await start(database, occurrence_id, person)
    draft = await drafts.start(database, person.id)
    draft = await drafts.mark_officer_found(database, draft.id)
    async with database.transaction() as session:
        link = {"occurrence_id": occurrence_id, "case_id": draft.id}
        await insert_if_absent(session, DutyFind, link, ["occurrence_id", "case_id"])
    return draft


async def _set(database: Database, occurrence_id: int, person: Person, **values: object) -> bool:
    async with database.transaction() as session:
        result = await session.execute(
            update(DutyOccurrence)
            .where(
                DutyOccurrence.id == occurrence_id,
                DutyOccurrence.started_by_id == person.id,
                DutyOccurrence.done_at.is_(None),
            )
            .values(**values)
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]
