"""The case register on a real database (SQLite and PostgreSQL), read back from .xlsx and CSV.

Seeded cases have known times; every expected cell below is written by hand. Local time is
Asia/Shanghai (UTC+8), so a case filed at 16:30 UTC on 30 September belongs to October.
"""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.register import export
from bot.register.export import Format, Register
from bot.texts import Catalogue
from bot.timing.periods import month_of
from storage import migrate
from storage.db import Database
from storage.models import (
    Area,
    AreaLevel,
    Case,
    CaseFollower,
    CaseStatus,
    Category,
    Person,
    Role,
)

TZ = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 10, 20, 0, 0, tzinfo=UTC)
OCTOBER = month_of(2026, 10, TZ)
HEADERS_ZH = [
    "案件编号",
    "类别",
    "状态",
    "区域",
    "登记时间",
    "受理时间",
    "处置时间",
    "结案时间",
    "按时受理",
    "按期处置",
    "网格员",
    "评价",
    "返工次数",
    "关注人数",
]
REPORTER_HEADERS_ZH = ["上报人", "上报人 Telegram ID", "上报人用户名", "匿名上报"]
FIRST_ZH = [
    "JN-000001",
    "火灾隐患",
    "已办结",
    "江南街道 / 幸福社区 / 幸福社区第一网格",
    datetime(2026, 10, 3, 9, 0),
    datetime(2026, 10, 3, 9, 20),
    datetime(2026, 10, 3, 16, 0),
    datetime(2026, 10, 4, 10, 0),
    "按时",
    "按时",
    "李网格",
    5,
    0,
    2,
]
NUMBERS_IN_OCTOBER = ["JN-000003", "JN-000001", "JN-000002", "JN-000006", "JN-000007"]


def utc(month: int, day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


async def seed(database: Database) -> None:
    """Five cases filed in October (local time), one just after it, one draft."""
    async with database.transaction() as session:
        street = Area(code="JN", name="江南街道", level=AreaLevel.STREET)
        session.add(street)
        await session.flush()
        happy = Area(code="JN01", name="幸福社区", level=AreaLevel.COMMUNITY, parent_id=street.id)
        peace = Area(code="JN02", name="和平社区", level=AreaLevel.COMMUNITY, parent_id=street.id)
        session.add_all([happy, peace])
        await session.flush()
        grid1 = Area(
            code="JN01-1", name="幸福社区第一网格", level=AreaLevel.GRID, parent_id=happy.id
        )
        grid2 = Area(
            code="JN02-1", name="和平社区第一网格", level=AreaLevel.GRID, parent_id=peace.id
        )
        jia = Person(tg_id=101, name="居民甲", username="jia")
        trick = Person(tg_id=102, name="=1+1")
        officer = Person(tg_id=103, name="李网格", role=Role.OFFICER)
        fans = [Person(tg_id=110 + n, name=f"邻居{n}") for n in range(2)]
        session.add_all([grid1, grid2, jia, trick, officer, *fans])
        await session.flush()
        codes = dict((await session.execute(select(Category.code, Category.id))).all())
        fire, sanitation = codes["fire"], codes["sanitation"]

        def case(number: int, **values: object) -> Case:
            values.setdefault("reporter_id", jia.id)
            return Case(number=f"JN-{number:06d}", **values)

        session.add_all(
            [
                case(
                    1,
                    status=CaseStatus.CLOSED,
                    category_id=fire,
                    area_id=grid1.id,
                    officer_id=officer.id,
                    submitted_at=utc(10, 3, 1),
                    accept_due_at=utc(10, 3, 1, 30),
                    resolve_due_at=utc(10, 4, 1),
                    accepted_at=utc(10, 3, 1, 20),
                    resolved_at=utc(10, 3, 8),
                    closed_at=utc(10, 4, 2),
                    rating=5,
                ),
                case(
                    2,
                    status=CaseStatus.RESOLVED,
                    category_id=sanitation,
                    area_id=grid1.id,
                    officer_id=officer.id,
                    reporter_id=trick.id,
                    anonymous=True,
                    submitted_at=utc(10, 5, 2),
                    accept_due_at=utc(10, 5, 4),
                    resolve_due_at=utc(10, 5, 6),
                    accepted_at=utc(10, 5, 5),
                    resolved_at=utc(10, 6, 2),
                    rework_count=1,
                ),
                case(
                    3,
                    status=CaseStatus.NEW,
                    category_id=fire,
                    area_id=grid2.id,
                    submitted_at=utc(9, 30, 16, 30),
                    accept_due_at=utc(9, 30, 17),
                    resolve_due_at=utc(10, 1, 16, 30),
                ),
                case(
                    4,
                    status=CaseStatus.NEW,
                    category_id=fire,
                    area_id=grid2.id,
                    submitted_at=utc(10, 31, 16, 30),  # 1 November, local time
                    accept_due_at=utc(10, 31, 17),
                    resolve_due_at=utc(11, 1, 16, 30),
                ),
                case(
                    6,
                    status=CaseStatus.REJECTED,
                    category_id=sanitation,
                    area_id=grid2.id,
                    submitted_at=utc(10, 10, 2),
                    accept_due_at=utc(10, 10, 3),
                    resolve_due_at=utc(10, 11, 2),
                    closed_at=utc(10, 10, 2, 30),
                ),
                case(
                    7,
                    status=CaseStatus.NEW,
                    category_id=sanitation,
                    area_id=grid2.id,
                    submitted_at=utc(10, 19, 23),
                    accept_due_at=utc(10, 20, 1),
                    resolve_due_at=utc(10, 21, 23),
                ),
                Case(status=CaseStatus.DRAFT, reporter_id=jia.id, created_at=utc(10, 8, 0)),
            ]
        )
        await session.flush()
        first = await session.scalar(select(Case.id).where(Case.number == "JN-000001"))
        assert first is not None
        session.add_all([CaseFollower(case_id=first, person_id=fan.id) for fan in fans])


async def area_ids(database: Database, *codes: str) -> set[int]:
    async with database.sessions() as session:
        return set((await session.scalars(select(Area.id).where(Area.code.in_(codes)))).all())


def xlsx_rows(path: Path) -> list[list[object]]:
    sheet = load_workbook(path).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def csv_rows(path: Path) -> list[list[str]]:
    data = path.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")  # so Excel reads it as UTF-8
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


@pytest.fixture
async def seeded(database: Database) -> Database:
    await seed(database)
    return database


@pytest.fixture
def catalogue() -> Catalogue:
    return Catalogue.load()


async def test_admin_register_with_every_column(
    seeded: Database, catalogue: Catalogue, tmp_path: Path
) -> None:
    outputs = {Format.XLSX: tmp_path / "r.xlsx", Format.CSV: tmp_path / "r.csv"}
    register = Register(OCTOBER, with_reporters=True)
    count = (
        await export.write(seeded, register, catalogue.translator("zh"), TZ, outputs, NOW)
    ).cases
    assert count == 5
    rows = xlsx_rows(outputs[Format.XLSX])
    assert rows[0] == HEADERS_ZH + REPORTER_HEADERS_ZH
    assert [row[0] for row in rows[1:]] == NUMBERS_IN_OCTOBER
    late, first, reworked, rejected, waiting = rows[1:]
    assert first == [*FIRST_ZH, "居民甲", 101, "jia", "否"]
    assert reworked == [
        "JN-000002",
        "市容环境",
        "已处置，待确认",
        "江南街道 / 幸福社区 / 幸福社区第一网格",
        datetime(2026, 10, 5, 10, 0),
        datetime(2026, 10, 5, 13, 0),
        datetime(2026, 10, 6, 10, 0),
        None,
        "超时",
        "超时",
        "李网格",
        None,
        1,
        0,
        "'=1+1",  # a name that would be a formula is kept as text
        102,
        None,
        "是",
    ]
    assert late[2:4] == ["待受理", "江南街道 / 和平社区 / 和平社区第一网格"]
    assert late[4] == datetime(2026, 10, 1, 0, 30)
    assert late[5:11] == [None, None, None, "超时", "超时", None]
    assert rejected[2] == "不予受理"
    assert rejected[8:10] == ["按时", "不适用"]
    assert waiting[8:10] == ["未到期", "未到期"]

    table = csv_rows(outputs[Format.CSV])
    assert table[0] == HEADERS_ZH + REPORTER_HEADERS_ZH
    assert table[2] == [
        "JN-000001",
        "火灾隐患",
        "已办结",
        "江南街道 / 幸福社区 / 幸福社区第一网格",
        "2026-10-03 09:00:00",
        "2026-10-03 09:20:00",
        "2026-10-03 16:00:00",
        "2026-10-04 10:00:00",
        "按时",
        "按时",
        "李网格",
        "5",
        "0",
        "2",
        "居民甲",
        "101",
        "jia",
        "否",
    ]
    assert [row[0] for row in table[1:]] == NUMBERS_IN_OCTOBER


async def test_a_leads_register_has_no_reporters_and_only_the_community(
    seeded: Database, catalogue: Catalogue, tmp_path: Path
) -> None:
    outputs = {Format.XLSX: tmp_path / "lead.xlsx"}
    register = Register(OCTOBER, await area_ids(seeded, "JN01", "JN01-1"))
    count = (
        await export.write(seeded, register, catalogue.translator("zh"), TZ, outputs, NOW)
    ).cases
    assert count == 2
    rows = xlsx_rows(outputs[Format.XLSX])
    assert rows[0] == HEADERS_ZH
    assert rows[1] == FIRST_ZH
    assert rows[2][0] == "JN-000002"
    sheet = load_workbook(outputs[Format.XLSX]).worksheets[0]
    assert sheet.freeze_panes == "A2"
    assert sheet.column_dimensions["D"].width == 36
    assert sheet["A1"].font.b  # the header row is bold, the rows are not
    assert not sheet["A2"].font.b
    assert sheet["E2"].number_format == "yyyy-mm-dd hh:mm:ss"  # a real datetime, shown whole


async def test_english_headers_and_names(
    seeded: Database, catalogue: Catalogue, tmp_path: Path
) -> None:
    outputs = {Format.CSV: tmp_path / "en.csv"}
    register = Register(OCTOBER, await area_ids(seeded, "JN01-1"))
    await export.write(seeded, register, catalogue.translator("en"), TZ, outputs, NOW)
    header, first, second = csv_rows(outputs[Format.CSV])
    assert header[:4] == ["Number", "Category", "Status", "Area"]
    assert header[8:10] == ["Accept deadline", "Resolve deadline"]
    assert first[1:3] == ["Fire hazard", "closed"]
    assert second[1] == "Sanitation and street order"
    assert second[8:10] == ["missed", "missed"]


async def test_an_empty_period_gives_only_the_header(
    seeded: Database, catalogue: Catalogue, tmp_path: Path
) -> None:
    outputs = {Format.XLSX: tmp_path / "e.xlsx", Format.CSV: tmp_path / "e.csv"}
    register = Register(month_of(2026, 8, TZ), with_reporters=True)
    count = (
        await export.write(seeded, register, catalogue.translator("zh"), TZ, outputs, NOW)
    ).cases
    assert count == 0
    assert xlsx_rows(outputs[Format.XLSX]) == [HEADERS_ZH + REPORTER_HEADERS_ZH]
    assert csv_rows(outputs[Format.CSV]) == [HEADERS_ZH + REPORTER_HEADERS_ZH]


async def test_rows_come_in_chunks_and_none_is_lost(
    seeded: Database, catalogue: Catalogue, tmp_path: Path
) -> None:
    outputs = {Format.XLSX: tmp_path / "c.xlsx", Format.CSV: tmp_path / "c.csv"}
    register = Register(OCTOBER)
    t = catalogue.translator("zh")
    written = await export.write(seeded, register, t, TZ, outputs, NOW, chunk_rows=2)
    assert written.cases == 5
    rows = xlsx_rows(outputs[Format.XLSX])
    assert [row[0] for row in rows[1:]] == NUMBERS_IN_OCTOBER
    assert rows[2] == FIRST_ZH
    assert [row[0] for row in csv_rows(outputs[Format.CSV])[1:]] == NUMBERS_IN_OCTOBER


@pytest.mark.postgres
async def test_postgres_counts_followers_without_a_subquery_per_case(postgres_url: str) -> None:
    """A subquery per row made PostgreSQL cost a month of 85,000 cases at ~700,000, past
    jit_above_cost: ~170 ms of JIT compiling before the first row (bench/RESULTS.md, 4)."""
    database = Database(postgres_url)
    try:
        await migrate.upgrade(database)
        query = export._query(Register(OCTOBER, with_reporters=True))
        async with database.engine.connect() as connection:
            literal = query.compile(
                dialect=connection.dialect, compile_kwargs={"literal_binds": True}
            )
            plan = (await connection.exec_driver_sql(f"EXPLAIN {literal}")).scalars().all()
    finally:
        await database.dispose()
    assert not [line for line in plan if "SubPlan" in line], "\n".join(plan)
