"""The case register: one row per submitted case of a period and scope, as .xlsx and CSV.

Rows are streamed from the database in chunks (a server-side cursor on PostgreSQL); each chunk
is turned into cells and written in a worker thread before the next is fetched, so a register of
a million cases holds one chunk in memory and the event loop stays free for other updates.
"""

from __future__ import annotations

import asyncio
import enum
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import aliased

from bot.register import reports_sheet, stations_sheet
from bot.register.sheets import Cell, CsvSheet, Sheet, XlsxSheet
from bot.texts import Translator
from bot.timing.periods import Period
from storage.db import Database
from storage.models import Area, Case, CaseFollower, CaseStatus, Category, Person
from storage.types import utcnow

CHUNK_ROWS = 1000
_Row = Row[tuple[object, ...]]
AREA_SEPARATOR = " / "


class Format(enum.StrEnum):
    XLSX = "xlsx"
    CSV = "csv"


class Deadline(enum.StrEnum):
    MET = "met"
    MISSED = "missed"
    PENDING = "pending"  # not done yet, and still in time
    NONE = "none"  # does not apply (a rejected or merged case is never resolved)


@dataclass(frozen=True)
class Column:
    key: str  # the header is the text `export.column_<key>`
    width: int


COLUMNS = (
    Column("number", 14),
    Column("category", 40),  # English names run long: "Dogs (stray, nuisance, unleashed, bite)"
    Column("status", 14),
    Column("area", 36),
    Column("filed", 19),
    Column("accepted", 19),
    Column("resolved", 19),
    Column("closed", 19),
    Column("accept_deadline", 12),
    Column("resolve_deadline", 12),
    Column("officer", 14),
    Column("rating", 8),
    Column("rework", 10),
    Column("followers", 10),
)
REPORTER_COLUMNS = (
    Column("reporter", 16),
    Column("reporter_tg_id", 16),
    Column("reporter_username", 18),
    Column("anonymous", 10),
)


@dataclass(frozen=True)
class Register:
    """Which cases: submitted within `period`, in `area_ids` (None: everywhere)."""

    period: Period
    area_ids: set[int] | None = None
    with_reporters: bool = False  # admins only: name, Telegram id and username

    @property
    def columns(self) -> tuple[Column, ...]:
        return COLUMNS + REPORTER_COLUMNS if self.with_reporters else COLUMNS


# Ended without being handled: rejected, merged, or withdrawn by the reporter (an answer in time).
ENDED_UNHANDLED = frozenset({CaseStatus.REJECTED, CaseStatus.DUPLICATE, CaseStatus.WITHDRAWN})


def file_name(period: Period, area_code: str | None, kind: Format) -> str:
    """`cases_2026-10-01_2026-10-31.xlsx`, with the area code when there is one."""
    parts = ["cases", area_code, period.first_day.isoformat(), period.last_day.isoformat()]
    return "_".join(part for part in parts if part) + f".{kind.value}"


def accept_deadline(
    status: CaseStatus,
    accepted_at: datetime | None,
    closed_at: datetime | None,
    due: datetime | None,
    now: datetime,
) -> Deadline:
    """Accepted by the deadline? A rejection or merge before it is an answer in time too."""
    done = accepted_at
    if done is None and status in ENDED_UNHANDLED:
        done = closed_at
    return _judge(done, due, now)


def resolve_deadline(
    status: CaseStatus, resolved_at: datetime | None, due: datetime | None, now: datetime
) -> Deadline:
    """Resolved by the deadline? Rework keeps the first deadline, so a late fix misses it."""
    if status in ENDED_UNHANDLED and resolved_at is None:
        return Deadline.NONE
    return _judge(resolved_at, due, now)


def _judge(done: datetime | None, due: datetime | None, now: datetime) -> Deadline:
    if due is None:
        return Deadline.NONE
    if done is not None:
        return Deadline.MET if done <= due else Deadline.MISSED
    return Deadline.MISSED if now > due else Deadline.PENDING


class Written(NamedTuple):
    """What an export wrote: cases (every format), and rows of the .xlsx's other sheets."""

    cases: int
    stations: int
    figures: int

    @property
    def empty(self) -> bool:
        """Nothing in any sheet: no file is worth sending."""
        return not (self.cases or self.stations or self.figures)


async def write(
    database: Database,
    register: Register,
    t: Translator,
    tz: tzinfo,
    outputs: Mapping[Format, Path],
    now: datetime | None = None,
    chunk_rows: int = CHUNK_ROWS,
) -> Written:
    """Write the register to each output file (headers in `t`'s language), and into the
    .xlsx a second sheet of the scope's micro fire stations by month and a third of the report
    duties' figures by area and month; how many rows each has."""
    names = await _Names.load(database, t.language)
    cells = _Cells(names, t, tz, now or utcnow(), register.with_reporters)
    headers = [t(f"export.column_{column.key}") for column in register.columns]
    widths = [column.width for column in register.columns]
    sheets = await asyncio.to_thread(_open, outputs, t("export.sheet"), headers, widths)
    count = 0
    try:
        async with database.sessions() as session:
            query = _query(register).execution_options(yield_per=chunk_rows)
            result = await session.stream(query)
            async for chunk in result.partitions():
                await asyncio.to_thread(_append, sheets, cells, chunk)
                count += len(chunk)
        communities = {area_id: name for area_id, (name, _) in names.areas.items()}
        stations = await stations_sheet.rows(
            database, register.period, register.area_ids, communities
        )
        await asyncio.to_thread(stations_sheet.write, sheets, t, stations)
        figures = await reports_sheet.rows(database, register.period, register.area_ids, t)
        await asyncio.to_thread(reports_sheet.write, sheets, t, figures)
    finally:
        await asyncio.to_thread(_close, sheets)
    return Written(count, len(stations), len(figures))


def _query(register: Register) -> Select[tuple[object, ...]]:
    officer, reporter = aliased(Person), aliased(Person)
    # Followers counted once per case and joined, not a subquery per row: PostgreSQL costs that
    # subquery per case (~700,000 for a month of 85,000 cases, past jit_above_cost) and spent
    # ~170 ms compiling it with JIT before the first row. Few cases have followers, so counting
    # them all is cheap (~30,000 rows at 1,000,000 cases, a hash join).
    followers = (
        select(CaseFollower.case_id, func.count().label("count"))
        .group_by(CaseFollower.case_id)
        .subquery("followers")
    )
    columns: list[object] = [
        Case.number,
        Case.status,
        Case.category_id,
        Case.area_id,
        Case.submitted_at,
        Case.accepted_at,
        Case.resolved_at,
        Case.closed_at,
        Case.accept_due_at,
        Case.resolve_due_at,
        officer.name.label("officer"),
        Case.rating,
        Case.rework_count,
        func.coalesce(followers.c.count, 0).label("followers"),
    ]
    if register.with_reporters:
        columns += [
            reporter.name.label("reporter"),
            reporter.tg_id.label("reporter_tg_id"),
            reporter.username.label("reporter_username"),
            Case.anonymous,
        ]
    query = (
        select(*columns)
        .outerjoin(officer, officer.id == Case.officer_id)
        .outerjoin(followers, followers.c.case_id == Case.id)
    )
    if register.with_reporters:
        query = query.join(reporter, reporter.id == Case.reporter_id)
    query = query.where(
        Case.status != CaseStatus.DRAFT,
        Case.submitted_at >= register.period.start,
        Case.submitted_at < register.period.end,
    )
    if register.area_ids is not None:
        query = query.where(Case.area_id.in_(sorted(register.area_ids)))
    return query.order_by(Case.submitted_at, Case.id)


@dataclass
class _Names:
    """Category names in one language and area paths (street / community / grid), by id."""

    categories: dict[int, str]
    areas: dict[int, tuple[str, int | None]]
    paths: dict[int, str]

    @classmethod
    async def load(cls, database: Database, language: str) -> _Names:
        async with database.sessions() as session:
            categories = (await session.scalars(select(Category))).all()
            areas = (await session.execute(select(Area.id, Area.name, Area.parent_id))).all()
        return cls(
            {category.id: category.name(language) for category in categories},
            {area_id: (name, parent) for area_id, name, parent in areas},
            {},
        )

    def path(self, area_id: int | None) -> str:
        if area_id is None or area_id not in self.areas:
            return ""
        if area_id not in self.paths:
            name, parent = self.areas[area_id]
            above = self.path(parent)
            self.paths[area_id] = f"{above}{AREA_SEPARATOR}{name}" if above else name
        return self.paths[area_id]


@dataclass(frozen=True)
class _Cells:
    """Turns a database row into the cells of the register."""

    names: _Names
    t: Translator
    tz: tzinfo
    now: datetime
    with_reporters: bool

    def row(self, row: _Row) -> list[Cell]:
        t, status = self.t, row.status
        accept = accept_deadline(
            status, row.accepted_at, row.closed_at, row.accept_due_at, self.now
        )
        resolve = resolve_deadline(status, row.resolved_at, row.resolve_due_at, self.now)
        cells: list[Cell] = [
            row.number,
            self.names.categories.get(row.category_id, ""),
            t(f"status.{status.value}"),
            self.names.path(row.area_id),
            self._local(row.submitted_at),
            self._local(row.accepted_at),
            self._local(row.resolved_at),
            self._local(row.closed_at),
            t(f"export.deadline_{accept.value}"),
            t(f"export.deadline_{resolve.value}"),
            row.officer or "",
            row.rating,
            row.rework_count,
            row.followers,
        ]
        if self.with_reporters:
            cells += [
                row.reporter,
                row.reporter_tg_id,
                row.reporter_username,  # without "@", which spreadsheets read as a formula
                t("export.yes" if row.anonymous else "export.no"),
            ]
        return cells

    def _local(self, moment: datetime | None) -> datetime | None:
        # Excel has no time zones: local wall-clock time, as the office reads it.
        return moment.astimezone(self.tz).replace(tzinfo=None) if moment else None


def _open(
    outputs: Mapping[Format, Path], title: str, headers: list[str], widths: list[int]
) -> list[Sheet]:
    sheets: list[Sheet] = []
    for kind, path in outputs.items():
        if kind == Format.XLSX:
            sheets.append(XlsxSheet(path, title, headers, widths))
        else:
            sheets.append(CsvSheet(path, headers))
    return sheets


def _append(sheets: Sequence[Sheet], cells: _Cells, chunk: Sequence[_Row]) -> None:
    for row in chunk:
        values = cells.row(row)
        for sheet in sheets:
            sheet.append(values)


def _close(sheets: Sequence[Sheet]) -> None:
    for sheet in sheets:
        sheet.close()
