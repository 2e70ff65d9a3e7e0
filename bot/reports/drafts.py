"""A resident's report while it is written: the draft case in the database, step by step.

The draft is the case itself (status draft), so a report survives a restart and two instances
see the same photos; the conversation state only says which step is being asked.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, tzinfo

from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from bot.cases import lifecycle
from bot.categories import answers as meaning
from bot.categories import table as all_categories
from bot.errors import PoliteError
from bot.places.geo import Located, degrees_around, distance_m, valid_point
from bot.reports import limits
from storage.db import Database
from storage.models import Area, AreaLevel, Case, CaseMedia, CaseStatus, Category, MediaKind, Person
from storage.types import utcnow
from storage.upsert import insert_if_absent

MAX_PHOTOS = 5
MAX_DESCRIPTION = 1000
MIN_DESCRIPTION = 2


class ReportError(PoliteError):
    """Input the report cannot take."""


@dataclass(frozen=True)
class PhotoAdded:
    added: bool
    count: int


async def categories(database: Database) -> Sequence[Category]:
    """The categories residents can pick, in their order."""
    return [c for c in (await all_categories.by_id(database)).values() if c.active]


async def draft_of(database: Database, person_id: int) -> Case | None:
    """The person's report being written, if any."""
    async with database.sessions() as session:
        return await session.scalar(
            select(Case)
            .where(Case.reporter_id == person_id, Case.status == CaseStatus.DRAFT)
            .order_by(Case.id.desc())
            .limit(1)
        )


async def start(database: Database, person_id: int) -> Case:
    """The person's draft, new or the one they left."""
    existing = await draft_of(database, person_id)
    if existing is not None:
        return existing
    async with database.transaction() as session:
        draft = Case(reporter_id=person_id, status=CaseStatus.DRAFT, answers={})
        session.add(draft)
        await session.flush()
        return draft


async def _update(database: Database, case_id: int, **values: object) -> Case:
    """Change the draft in one statement; a draft submitted or cancelled meanwhile is refused."""
    async with database.transaction() as session:
        draft = await session.scalar(
            update(Case)
            .where(Case.id == case_id, Case.status == CaseStatus.DRAFT)
            .values(**values)
            .returning(Case)
        )
    if draft is None:
        raise ReportError("report.gone")
    return draft


# `choose_category` and `answer` start from the draft as the update found it: a person's updates
# are handled one at a time (the dispatcher's event isolation), so it is current.
async def choose_category(database: Database, draft: Case, category_id: int) -> Case:
    chosen = await all_categories.category(database, category_id)
    if chosen is None or not chosen.active:
        raise ReportError("report.bad_choice")
    if draft.category_id == category_id:
        return draft
    return await _update(
        database, draft.id, category_id=category_id, answers={}, urgent=False, dog_id=None
    )


async def answer(database: Database, draft: Case, key: str, option: str) -> tuple[Case, bool]:
    """Record an answer to a quick question; True when it has just made the case danger now."""
    chosen = await all_categories.category(database, draft.category_id)
    if chosen is None:
        raise ReportError("report.gone")
    question = next((q for q in chosen.questions if q["key"] == key), None)
    if question is None or option not in {o["key"] for o in question["options"]}:
        raise ReportError("report.bad_choice")
    given = {**draft.answers, key: option}
    danger = meaning.danger_now(chosen, given) and not meaning.danger_now(chosen, draft.answers)
    urgent = meaning.urgent(chosen, given)
    return await _update(database, draft.id, answers=given, urgent=urgent), danger


def next_question(chosen: Category | None, answers: dict[str, str]) -> int | None:
    """Index of the first unanswered quick question."""
    for index, question in enumerate(chosen.questions if chosen else []):
        if question["key"] not in answers:
            return index
    return None


def check_length(text: str | None, limit: int) -> str:
    """Words someone typed, trimmed; refused, saying both lengths, when longer than `limit`."""
    text = (text or "").strip()
    if len(text) > limit:
        raise ReportError("report.too_long", length=len(text), limit=limit)
    return text


def check_description(text: str) -> str:
    text = check_length(text, MAX_DESCRIPTION)
    if len(text) < MIN_DESCRIPTION:
        raise ReportError("report.too_short")
    return text


async def describe(database: Database, case_id: int, text: str) -> Case:
    return await _update(database, case_id, description=check_description(text))


async def add_photo(
    database: Database,
    case_id: int,
    *,
    file_id: str,
    file_unique_id: str,
    kind: MediaKind = MediaKind.PHOTO,
    media_group_id: str | None = None,
    mime_type: str | None = None,
    size: int | None = None,
    stage: str = "report",
) -> PhotoAdded:
    """Attach a photo to a case, once per file_unique_id; the report itself takes MAX_PHOTOS."""
    async with database.transaction() as session:
        count = await _photo_count(session, case_id)
        if stage == "report" and count >= MAX_PHOTOS:
            return PhotoAdded(added=False, count=count)
        values = {
            "case_id": case_id,
            "kind": kind,
            "stage": stage,
            "file_id": file_id,
            "file_unique_id": file_unique_id,
            "media_group_id": media_group_id,
            "mime_type": mime_type,
            "size": size,
            "download_attempts": 0,
            "created_at": utcnow(),
        }
        added = await insert_if_absent(session, CaseMedia, values, ["case_id", "file_unique_id"])
        return PhotoAdded(added=added, count=count + int(added))


async def photo_count(database: Database, case_id: int) -> int:
    async with database.sessions() as session:
        return await _photo_count(session, case_id)


async def _photo_count(session: AsyncSession, case_id: int) -> int:
    statement = select(func.count()).where(CaseMedia.case_id == case_id)
    return int(await session.scalar(statement) or 0)


async def place(
    database: Database,
    case_id: int,
    *,
    latitude: float | None = None,
    longitude: float | None = None,
    address: str | None = None,
    located: Located | None = None,
) -> Case:
    """Where the problem is; a point that is not on Earth is refused and nothing is stored."""
    if (latitude is None) != (longitude is None) or (
        latitude is not None and longitude is not None and not valid_point(latitude, longitude)
    ):
        raise ReportError("report.bad_location")
    values: dict[str, object] = {"latitude": latitude, "longitude": longitude}
    if address is not None:
        values["address"] = address[:512]
    values["area_id"] = located.area_id if located else None
    return await _update(database, case_id, **values)


async def choose_community(database: Database, case_id: int, area_id: int) -> Case:
    """The community the resident picks; a shared point that lies in no area of the street is
    dropped then, so the case is not shown (or routed) by a place it is not at."""
    return await _choose_area(database, case_id, area_id, AreaLevel.COMMUNITY)


async def choose_grid(database: Database, case_id: int, grid_id: int) -> Case:
    """The grid a poster names, when the resident sends no point inside the street (the same
    rule as a chosen community: a point outside every area is dropped)."""
    return await _choose_area(database, case_id, grid_id, AreaLevel.GRID)


async def _choose_area(database: Database, case_id: int, area_id: int, level: AreaLevel) -> Case:
    async with database.sessions() as session:
        area = await session.get(Area, area_id)
        draft = await session.get(Case, case_id)
    if area is None or area.level != level:
        raise ReportError("report.bad_choice")
    outside = draft is not None and draft.area_id is None and draft.latitude is not None
    if outside:
        return await _update(database, case_id, area_id=area_id, latitude=None, longitude=None)
    return await _update(database, case_id, area_id=area_id)


async def mark_officer_found(database: Database, case_id: int) -> Case:
    """A report an officer files from their patrol (自行发现)."""
    return await _update(database, case_id, officer_found=True, anonymous=False)


async def self_handle(
    database: Database, case_id: int, officer: Person, note: str, prefix: str | None, tz: tzinfo
) -> lifecycle.Outcome:
    """File an officer's own find and record it handled on the spot (自行处置), in one go."""
    async with database.transaction() as session:
        outcomes = [
            await lifecycle.apply(
                session, case_id, lifecycle.Action.SUBMIT, officer, prefix=prefix, tz=tz
            ),
            await lifecycle.apply(session, case_id, lifecycle.Action.ACCEPT, officer),
            await lifecycle.apply(
                session, case_id, lifecycle.Action.RESOLVE, officer, note, verified=True
            ),
            await lifecycle.apply(session, case_id, lifecycle.Action.CONFIRM, officer, note),
        ]
        for outcome in outcomes:  # handled on the spot by the officer: nobody is owed news
            assert outcome.owed is not None
            outcome.owed.done_at = outcome.event.created_at
        return outcomes[-1]


async def reset_answers(database: Database, case_id: int) -> Case:
    return await _update(database, case_id, answers={}, urgent=False)


async def area_name(database: Database, area_id: int | None) -> str | None:
    if area_id is None:
        return None
    async with database.sessions() as session:
        area = await session.get(Area, area_id)
        return area.name if area else None


async def set_anonymous(database: Database, case_id: int, anonymous: bool) -> Case:
    """Anonymous hides the reporter from everyone but admins (and withdraws any sharing)."""
    values: dict[str, object] = {"anonymous": anonymous}
    if anonymous:
        values["share_identity"] = False
    return await _update(database, case_id, **values)


async def set_share_identity(database: Database, case_id: int, share: bool) -> Case:
    """The reporter lets the officers of the case see their name."""
    return await _update(database, case_id, share_identity=share)


async def discard(database: Database, case_id: int) -> None:
    """Throw a draft away (only a draft)."""
    async with database.transaction() as session:
        await session.execute(
            delete(Case).where(Case.id == case_id, Case.status == CaseStatus.DRAFT)
        )


async def communities(database: Database) -> Sequence[Area]:
    async with database.sessions() as session:
        rows = await session.scalars(
            select(Area).where(Area.level == AreaLevel.COMMUNITY).order_by(Area.code)
        )
        return rows.all()


async def duplicates(
    database: Database, draft: Case, radius_m: float, days: int, now: datetime | None = None
) -> list[Case]:
    """Open cases of the same category within `radius_m` filed in the last `days`, nearest first."""
    if draft.latitude is None or draft.longitude is None or draft.category_id is None:
        return []
    now = now or utcnow()
    dlat, dlon = degrees_around(draft.latitude, radius_m)
    async with database.sessions() as session:
        rows = await session.scalars(
            select(Case).where(
                Case.category_id == draft.category_id,
                Case.status.in_(lifecycle.OPEN),
                Case.submitted_at > now - timedelta(days=days),
                Case.latitude.between(draft.latitude - dlat, draft.latitude + dlat),
                Case.longitude.between(draft.longitude - dlon, draft.longitude + dlon),
                Case.id != draft.id,
            )
        )
        found = list(rows)

    def away(case: Case) -> float:
        return distance_m(
            draft.latitude or 0, draft.longitude or 0, case.latitude or 0, case.longitude or 0
        )

    return sorted((c for c in found if away(c) <= radius_m), key=away)


async def submit(
    database: Database,
    case_id: int,
    reporter: Person,
    prefix: str | None,
    tz: tzinfo | None = None,
    per_hour: int | None = None,
) -> lifecycle.Outcome:
    """File the draft as a case (once: a second tap finds it submitted already).

    With `tz`, non-urgent deadlines count working time in that zone
    (see bot.timing.working_time). With `per_hour`, a resident who filed that many in the last
    hour is refused until the hour has passed (see bot.reports.limits)."""
    if per_hour is not None:
        await limits.check_may_file(database, reporter, per_hour, tz or UTC)
    async with database.transaction() as session:
        return await lifecycle.apply(
            session, case_id, lifecycle.Action.SUBMIT, reporter, prefix=prefix, tz=tz
        )


async def follow_instead(database: Database, draft_id: int, case_id: int, person_id: int) -> None:
    """The resident says an existing case is theirs: follow it, drop the draft."""
    async with database.transaction() as session:
        await lifecycle.follow(session, case_id, person_id)
        await session.execute(
            delete(Case).where(Case.id == draft_id, Case.status == CaseStatus.DRAFT)
        )
