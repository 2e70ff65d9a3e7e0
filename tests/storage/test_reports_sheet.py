"""The register's sheet of report duties' figures on SQLite and PostgreSQL, read back from the
.xlsx: per area and month, each figure named in the reader's language with its total and the
number of reports filed; a community's register holds only its own duties' figures."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from openpyxl import load_workbook
from sqlalchemy import select

from bot.register import export
from bot.register.export import Format, Register
from bot.texts import Catalogue
from bot.timing.periods import Period
from storage.db import Database
from storage.models import Area, AreaLevel, Duty, DutyOccurrence, Role
from storage.models.duties import Rhythm

TZ = ZoneInfo("Asia/Shanghai")
SAFETY = [
    {"name": "places", "zh": "检查场所数", "en": "Places checked", "type": "int", "most": 500},
    {"name": "found", "zh": "发现隐患数", "en": "Hazards found", "type": "int", "most": 100},
]
DOGS = [{"name": "dogs", "zh": "巡查犬只数", "en": "Dogs seen", "type": "int", "most": 100}]
CHECK = [{"zh": "汇总", "en": "Sum up"}]
OCTOBER = Period(date(2026, 10, 1), date(2026, 11, 30), TZ)


def local(month: int, day: int) -> datetime:
    return datetime(2026, month, day, tzinfo=TZ)


async def _filed(database: Database) -> None:
    """一社区: a monthly safety report in October and November, a weekly dog count filed twice
    in October and once left undone; 二社区 and the street: one report each."""
    async with database.transaction() as session:
        c1 = Area(code="C1", name="一社区", level=AreaLevel.COMMUNITY)
        c2 = Area(code="C2", name="二社区", level=AreaLevel.COMMUNITY)
        session.add_all([c1, c2])
        await session.flush()
        duties = {
            "safety": _duty("一社区月报", c1.id, Rhythm.MONTHLY, SAFETY),
            "dogs": _duty("一社区犬只周报", c1.id, Rhythm.WEEKLY, DOGS),
            "other": _duty("二社区月报", c2.id, Rhythm.MONTHLY, SAFETY),
            "street": _duty("街道月报", None, Rhythm.MONTHLY, SAFETY),
        }
        session.add_all(duties.values())
        await session.flush()
        session.add_all(
            [
                _done(duties["safety"], local(10, 1), {"places": 12, "found": 3}),
                _done(duties["safety"], local(11, 1), {"places": 9, "found": 0}),
                _done(duties["dogs"], local(10, 5), {"dogs": 4}),
                _done(duties["dogs"], local(10, 12), {"dogs": 6}),
                _done(duties["dogs"], local(10, 19), None),  # not done: nothing filed
                _done(duties["other"], local(10, 1), {"places": 5, "found": 1}),
                _done(duties["street"], local(10, 1), {"places": 40, "found": 7}),
                _done(duties["street"], local(12, 1), {"places": 1, "found": 1}),  # after
            ]
        )


def _duty(name: str, area_id: int | None, rhythm: Rhythm, report: list[dict[str, Any]]) -> Duty:
    role = Role.LEAD if area_id else Role.ADMIN
    return Duty(
        name=name, role=role, area_id=area_id, rhythm=rhythm, checklist=CHECK, report=report
    )


def _done(duty: Duty, starts: datetime, figures: dict[str, int] | None) -> DutyOccurrence:
    return DutyOccurrence(
        duty_id=duty.id,
        period_start=starts.date(),
        starts_at=starts,
        due_at=starts + timedelta(days=3),
        figures=figures,
        done_at=starts + timedelta(days=1) if figures else None,
    )


def _sheet_rows(path: Path, title: str) -> list[list[object]]:
    book = load_workbook(path)
    assert book.sheetnames[2] == title  # after the cases and the micro fire stations
    return [[cell.value for cell in row] for row in book[title].iter_rows()]


async def test_figures_per_area_and_month(database: Database, tmp_path: Path) -> None:
    await _filed(database)
    outputs = {Format.XLSX: tmp_path / "r.xlsx", Format.CSV: tmp_path / "r.csv"}
    zh = Catalogue.load().translator("zh")
    assert (await export.write(database, Register(OCTOBER), zh, TZ, outputs)).cases == 0
    assert _sheet_rows(outputs[Format.XLSX], "报告数字") == [
        ["区域", "月份", "例行任务", "报告项目", "合计", "上报次数"],
        ["一社区", "2026-10", "一社区月报", "检查场所数", 12, 1],
        ["一社区", "2026-10", "一社区月报", "发现隐患数", 3, 1],
        ["一社区", "2026-10", "一社区犬只周报", "巡查犬只数", 10, 2],
        ["一社区", "2026-11", "一社区月报", "检查场所数", 9, 1],
        ["一社区", "2026-11", "一社区月报", "发现隐患数", 0, 1],
        ["二社区", "2026-10", "二社区月报", "检查场所数", 5, 1],
        ["二社区", "2026-10", "二社区月报", "发现隐患数", 1, 1],
        ["街道", "2026-10", "街道月报", "检查场所数", 40, 1],
        ["街道", "2026-10", "街道月报", "发现隐患数", 7, 1],
    ]
    assert "报告数字" not in outputs[Format.CSV].read_text("utf-8-sig")  # one table in a CSV


async def test_a_community_reads_its_own_in_english(database: Database, tmp_path: Path) -> None:
    await _filed(database)
    async with database.sessions() as session:
        c1 = set(await session.scalars(select(Area.id).where(Area.code == "C1")))
    en = Catalogue.load().translator("en")
    only = {Format.XLSX: tmp_path / "c1.xlsx"}
    assert (await export.write(database, Register(OCTOBER, c1), en, TZ, only)).cases == 0
    assert _sheet_rows(only[Format.XLSX], "Report figures") == [
        ["Area", "Month", "Duty", "Figure", "Total", "Reports filed"],
        ["一社区", "2026-10", "一社区月报", "Places checked", 12, 1],
        ["一社区", "2026-10", "一社区月报", "Hazards found", 3, 1],
        ["一社区", "2026-10", "一社区犬只周报", "Dogs seen", 10, 2],
        ["一社区", "2026-11", "一社区月报", "Places checked", 9, 1],
        ["一社区", "2026-11", "一社区月报", "Hazards found", 0, 1],
    ]
