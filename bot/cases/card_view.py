"""A case's card as a person reads it: number and status, category and answers, place, times,
support, who reported it (as the reader may know), the officer, the dog it names and the fire
response's timeline. The desk (bot/cases/desk.py) sends and edits cards; this draws them."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import date, datetime, tzinfo

from sqlalchemy import func, select

from bot.categories import table
from bot.stations import response as fire_response
from bot.texts import Translator
from storage.db import Database
from storage.models import Area, Case, CaseFollower, Person
from storage.types import utcnow

# The lines a card gives a registered dog the case names, as `viewer` may read them (the dog
# register sits above the cases, so the composition root hands them in).
DogLines = Callable[[Database, Case, Person | None, Translator, date], Awaitable[list[str]]]


async def text(
    database: Database,
    case: Case,
    t: Translator,
    show_reporter: bool,
    viewer: Person | None,
    *,
    tz: tzinfo,
    dog_lines: DogLines | None = None,
) -> str:
    """The card's text in `t`'s language; the reporter named only where `show_reporter` (admins)
    or the reporter chose to share it."""
    category = await table.category(database, case.category_id)
    async with database.sessions() as session:
        area = await session.get(Area, case.area_id) if case.area_id else None
        reporter = await session.get(Person, case.reporter_id)
        followers = await session.scalar(
            select(func.count()).where(CaseFollower.case_id == case.id)
        )
        officer = await session.get(Person, case.officer_id) if case.officer_id else None
    lines = [
        t(
            "desk.card_title",
            number=case.number or "",
            status=t(f"status.{case.status.value}"),
            urgent=t("desk.urgent") if case.urgent else "",
        ),
        t("desk.card_category", category=table.category_text(t, category, case.answers)),
        t("desk.card_description", description=case.description),
        t(
            "desk.card_place",
            place=" · ".join(p for p in (area.name if area else "", case.address or "") if p)
            or t("report.place_unknown"),
        ),
        t(
            "desk.card_times",
            filed=when(case.submitted_at, tz),
            accept=when(case.accept_due_at, tz),
            resolve=when(case.resolve_due_at, tz),
        ),
        t("desk.card_support", followers=followers or 0),
        _reporter_line(case, reporter, t, show_reporter),
    ]
    if officer is not None:
        lines.append(t("desk.card_officer", name=officer.name or str(officer.tg_id)))
    if dog_lines is not None:
        lines += await dog_lines(database, case, viewer, t, utcnow().astimezone(tz).date())
    lines += await fire_response.timeline(database, case.id, t, tz)
    return "\n".join(lines)


def _reporter_line(case: Case, reporter: Person | None, t: Translator, admin: bool) -> str:
    if case.officer_found and reporter is not None:  # staff's own find: named to staff
        return t("desk.card_found_by", name=reporter.name or str(reporter.tg_id))
    if reporter is not None and case.share_identity and not case.anonymous:
        handle = f" @{reporter.username}" if reporter.username else ""
        return t("desk.card_reporter_shared", name=reporter.name + handle)
    if admin and reporter is not None:
        name = reporter.name or str(reporter.tg_id)
        key = "desk.card_reporter_admin_anonymous" if case.anonymous else "desk.card_reporter_admin"
        return t(key, name=name, tg_id=reporter.tg_id)
    key = "desk.card_reporter_anonymous" if case.anonymous else "desk.card_reporter_masked"
    return t(key, number=case.number or "")


def when(moment: datetime | None, tz: tzinfo) -> str:
    """A moment on a card or beside it: local month, day and time; "—" for none."""
    if moment is None:
        return "—"
    return moment.astimezone(tz).strftime("%m-%d %H:%M")


def shown(case: Case) -> tuple[object, ...]:
    """What of a case its card shows that actions change: two equal, the same card."""
    return (
        case.status,
        case.officer_id,
        case.area_id,
        case.urgent,
        case.address,
        case.accept_due_at,
        case.resolve_due_at,
        case.dog_id,
        case.duplicate_of_id,
    )
