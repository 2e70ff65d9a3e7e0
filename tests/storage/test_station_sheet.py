"""The register's sheet of micro fire stations on SQLite and PostgreSQL: fires alerted, set off
for and reached at known times on the moved clock, read back from the .xlsx per station and
month; a community's register holds only its own stations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from aiogram import Bot
from openpyxl import load_workbook
from sqlalchemy import select

from bot.register import export
from bot.register.export import Format, Register
from bot.stations import register, response
from bot.stations.alerts import Alerter
from bot.texts import Catalogue
from bot.timing.periods import Period
from storage.db import Database
from storage.models import Area, AreaLevel, Case, CaseStatus, Category, Person
from storage.types import utcnow

TZ = ZoneInfo("Asia/Shanghai")
FIRE = (30.6, 104.0)
HEADERS_ZH = [
    "站名",
    "社区",
    "月份",
    "火警次数",
    "首个出发中位数（秒）",
    "首个出发 P90（秒）",
    "到场中位数（秒）",
    "到场 P90（秒）",
    "3 分钟内到场占比",
]


async def _street(database: Database) -> tuple[int, Person]:
    """Two communities with a station each; a member of 一站 (off duty: nothing is sent)."""
    async with database.transaction() as session:
        session.add_all(
            [
                Area(code="C1", name="一社区", level=AreaLevel.COMMUNITY),
                Area(code="C2", name="二社区", level=AreaLevel.COMMUNITY),
            ]
        )
        reporter = Person(tg_id=7001, name="居民")
        session.add(reporter)
        fire = await session.scalar(select(Category.id).where(Category.code == "fire"))
        assert fire is not None
    await register.save_station(database, "一站", "C1", FIRE[0] + 0.001, FIRE[1])
    await register.save_station(database, "二站", "C2", FIRE[0] + 0.001, FIRE[1] + 0.01)
    member = await register.add_member(database, "一站", 7101)
    await register.set_duty(database, member.id, on_duty=False)
    return fire, member


async def _fire(database: Database, category_id: int, number: str) -> int:
    async with database.transaction() as session:
        community = await session.scalar(select(Area.id).where(Area.code == "C1"))
        reporter = await session.scalar(select(Person.id).where(Person.tg_id == 7001))
        case = Case(
            number=number,
            status=CaseStatus.NEW,
            category_id=category_id,
            reporter_id=reporter,
            area_id=community,
            urgent=True,
            answers={"kind": "smoke_fire"},
            latitude=FIRE[0],
            longitude=FIRE[1],
            submitted_at=utcnow(),
        )
        session.add(case)
        await session.flush()
        return case.id


def _sheet_rows(path: Path, title: str) -> list[list[object]]:
    book = load_workbook(path)
    assert book.sheetnames[1] == title
    return [[cell.value for cell in row] for row in book[title].iter_rows()]


async def test_figures_per_station_and_month(
    database: Database, clock: Callable[[timedelta], datetime], tmp_path: Path
) -> None:
    # the clock moved to the 15th of next month, 10:00 local: the fires' month is known
    today = utcnow().astimezone(TZ).date()
    following = date(today.year + today.month // 12, today.month % 12 + 1, 15)
    base = clock(datetime(following.year, following.month, 15, 10, tzinfo=TZ) - utcnow())
    category_id, member = await _street(database)
    bot = Bot("123456:TEST")  # nobody is on duty: nothing is sent through it
    alerter = Alerter(bot, database, Catalogue.load(), lambda t, i: None, tz=TZ)  # type: ignore[arg-type]
    try:
        # (minutes after base, seconds to 出发, seconds to arrival): 150 s in time, 200 s late,
        # and a fire nobody set off for
        for n, (minute, start, arrive) in enumerate(
            ((0, 30, 150), (20, 60, 200), (40, None, None))
        ):
            alerted = base + timedelta(minutes=minute)
            fire = await alerter.alert(await _fire(database, category_id, f"F-{n}"), alerted)
            assert fire is not None
            if start is not None and arrive is not None:
                await response.set_off(
                    database, fire.id, member, alerted + timedelta(seconds=start)
                )
                await response.arrive(
                    database, fire.id, member, *FIRE, alerted + timedelta(seconds=arrive)
                )
    finally:
        await bot.session.close()

    first = date(today.year, today.month, 1)  # this month and the fires' month
    period = Period(first, following.replace(day=28), TZ)
    outputs = {Format.XLSX: tmp_path / "r.xlsx", Format.CSV: tmp_path / "r.csv"}
    t = Catalogue.load().translator("zh")
    assert (await export.write(database, Register(period), t, TZ, outputs)).cases == 3
    this_month, fires_month = first.strftime("%Y-%m"), following.strftime("%Y-%m")
    assert _sheet_rows(outputs[Format.XLSX], "微型消防站") == [
        HEADERS_ZH,
        ["一站", "一社区", this_month, 0, None, None, None, None, None],
        ["一站", "一社区", fires_month, 3, 30, 60, 150, 200, 0.3333],
        ["二站", "二社区", this_month, 0, None, None, None, None, None],
        ["二站", "二社区", fires_month, 0, None, None, None, None, None],
    ]
    assert "微型消防站" not in outputs[Format.CSV].read_text("utf-8-sig")  # one table in a CSV

    async with database.sessions() as session:
        c2 = set(await session.scalars(select(Area.id).where(Area.code == "C2")))
    english = Catalogue.load().translator("en")
    only = {Format.XLSX: tmp_path / "c2.xlsx"}
    await export.write(database, Register(period, c2), english, TZ, only)
    rows = _sheet_rows(only[Format.XLSX], "Micro fire stations")
    assert rows[0][:4] == ["Station", "Community", "Month", "Alerts"]
    assert [row[0] for row in rows[1:]] == ["二站", "二站"]
