"""The dog campaign's figures, per community of the viewer's scope: registered dogs, the share
vaccinated within twelve months, lapsed; and per immunisation day its bookings and attendance.
Shown by `/dogs stats` and written as a sheet of the dog export."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import func, select

from bot.dogs import days, register
from bot.dogs.register import CommunityCount
from bot.register.sheets import XlsxSheet
from bot.texts import Translator
from bot.texts.shares import cell, percent, share
from storage.db import Database
from storage.models import DogBooking, Person

DAYS_BACK = 365  # immunisation days of the past year, and those to come


@dataclass(frozen=True)
class DayFigures:
    seen: days.DayView
    capacity: int
    booked: int
    attended: int


@dataclass(frozen=True)
class Figures:
    communities: list[CommunityCount]
    days: list[DayFigures]


def vaccinated_share(count: CommunityCount) -> float | None:
    """The share of registered dogs vaccinated within twelve months (None without dogs)."""
    return share(count.registered - count.lapsed, count.registered)


async def figures(database: Database, viewer: Person, today: date) -> Figures:
    communities = await register.lapsed_by_community(database, viewer, today)
    seen = await days.visible_days(database, viewer, today - timedelta(days=DAYS_BACK))
    attended = await _attended(database, [s.day.id for s in seen])
    rows = [
        DayFigures(
            s,
            sum(slot.capacity for slot in s.slots),
            sum(slot.booked for slot in s.slots),
            attended.get(s.day.id, 0),
        )
        for s in seen
    ]
    return Figures(communities, rows)


async def _attended(database: Database, day_ids: list[int]) -> dict[int, int]:
    if not day_ids:
        return {}
    async with database.sessions() as session:
        rows = await session.execute(
            select(DogBooking.day_id, func.count())
            .where(DogBooking.day_id.in_(day_ids), DogBooking.attended_at.is_not(None))
            .group_by(DogBooking.day_id)
        )
        return {int(day_id): int(count) for day_id, count in rows.all()}


async def write_export(
    database: Database, viewer: Person, t: Translator, path: Path, today: date
) -> int:
    """The dog export: the register, then the figures per community and per immunisation day;
    returns the number of dogs."""
    found = await figures(database, viewer, today)
    return await register.write_xlsx(
        database, viewer, t, path, today, lambda sheet: write_sheets(sheet, t, found)
    )


def lines(t: Translator, found: Figures) -> list[str]:
    """The figures as text lines in the reader's language."""
    out = [t("dogstats.title")]
    out += [
        t(
            "dogstats.community",
            name=c.name,
            registered=c.registered,
            share=percent(t, vaccinated_share(c)),
            lapsed=c.lapsed,
        )
        for c in found.communities
    ] or [t("dogs.register_empty")]
    out.append(t("dogstats.days_title"))
    out += [
        t(
            "dogstats.day",
            date=d.seen.day.day.isoformat(),
            place=d.seen.day.place,
            area=d.seen.area or t("dogday.whole_street"),
            booked=d.booked,
            capacity=d.capacity,
            attended=d.attended,
        )
        for d in found.days
    ] or [t("dogstats.no_days")]
    return out


COMMUNITY_COLUMNS = (("community", 16), ("registered", 10), ("vaccinated", 10), ("lapsed", 10))
DAY_COLUMNS = (
    ("date", 12),
    ("area", 16),
    ("place", 20),
    ("capacity", 10),
    ("booked", 10),
    ("attended", 10),
)


def write_sheets(sheet: XlsxSheet, t: Translator, found: Figures) -> None:
    """Two more worksheets of the export: per community, and per immunisation day."""
    sheet.next_sheet(
        t("dogstats.sheet_communities"),
        [t(f"dogstats.column_{key}") for key, _ in COMMUNITY_COLUMNS],
        [width for _, width in COMMUNITY_COLUMNS],
    )
    for c in found.communities:
        sheet.append((c.name, c.registered, cell(vaccinated_share(c)), c.lapsed))
    sheet.next_sheet(
        t("dogstats.sheet_days"),
        [t(f"dogstats.column_{key}") for key, _ in DAY_COLUMNS],
        [width for _, width in DAY_COLUMNS],
    )
    for d in found.days:
        sheet.append(
            (
                d.seen.day.day.isoformat(),
                d.seen.area or t("dogday.whole_street"),
                d.seen.day.place,
                d.capacity,
                d.booked,
                d.attended,
            )
        )
