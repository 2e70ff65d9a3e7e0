"""/export and /map through the real bot, and `python -m bot export`, read back as files.

The register's seeded cases (tests/storage/test_export.py) are filed in October 2026; the map's
cases lie in the demo street's grids, whose boundaries are stored.
"""

from __future__ import annotations

import asyncio
import csv
import io
from datetime import timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select

import handlers.admin.export
from app.admin_cli import DEMO_FILE
from app.cli import main
from app.wiring import App
from bot.people import staff
from bot.places.areas import import_file
from bot.stations import register as stations
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.client import BotMessage
from storage import migrate
from storage.db import Database
from storage.models import Area, Case, CaseStatus, Category, Person, Role
from storage.types import utcnow
from tests.storage.test_export import (
    FIRST_ZH,
    HEADERS_ZH,
    NUMBERS_IN_OCTOBER,
    REPORTER_HEADERS_ZH,
    seed,
)

ADMIN, LEAD, OFFICER, RESIDENT = 900001, 8502, 8503, 8504
NOT_ALLOWED = "抱歉，您没有权限进行这个操作。"
OVERDUE_RED = (214, 39, 40)


@pytest.fixture
async def register(bot_app: App) -> App:
    await seed(bot_app.database)
    await staff.appoint(bot_app.database, LEAD, Role.LEAD, "JN01")
    await staff.appoint(bot_app.database, OFFICER, Role.OFFICER, "JN01-1")
    return bot_app


def file_bytes(emulator: TelegramEmulator, file_id: str) -> bytes:
    stored = emulator.files.get(file_id)
    assert stored is not None
    return stored.data


def workbook_rows(emulator: TelegramEmulator, message: BotMessage) -> list[list[object]]:
    assert message.document is not None
    data = file_bytes(emulator, message.document["file_id"])
    sheet = load_workbook(io.BytesIO(data)).worksheets[0]
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


async def test_an_admin_gets_the_register_with_reporters(
    emulator: TelegramEmulator, register: App
) -> None:
    admin = emulator.user(ADMIN, "管理员")
    await admin.send("/export 2026-10")
    workbook, table = await admin.next_messages(2)
    assert workbook.document is not None
    assert workbook.document["file_name"] == "cases_2026-10-01_2026-10-31.xlsx"
    assert (
        workbook.caption
        == "案件登记表 · 2026-10-01 – 2026-10-31 · 全街道\n共 5 件案件（时间为本地时间）。"
    )
    rows = workbook_rows(emulator, workbook)
    assert rows[0] == HEADERS_ZH + REPORTER_HEADERS_ZH
    assert [row[0] for row in rows[1:]] == NUMBERS_IN_OCTOBER
    assert rows[2] == [*FIRST_ZH, "居民甲", 101, "jia", "否"]
    assert table.document is not None
    assert table.document["file_name"] == "cases_2026-10-01_2026-10-31.csv"
    data = file_bytes(emulator, table.document["file_id"])
    lines = list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))
    assert lines[0] == HEADERS_ZH + REPORTER_HEADERS_ZH
    assert lines[2][:4] == [
        "JN-000001",
        "火灾隐患",
        "已办结",
        "江南街道 / 幸福社区 / 幸福社区第一网格",
    ]
    assert len(lines) == 6


async def test_a_lead_gets_their_community_without_reporters(
    emulator: TelegramEmulator, register: App
) -> None:
    lead = emulator.user(LEAD, "社区张")
    await lead.send("/export 2026-10")
    workbook, table = await lead.next_messages(2)
    assert workbook.document is not None
    assert workbook.document["file_name"] == "cases_JN01_2026-10-01_2026-10-31.xlsx"
    assert "幸福社区" in (workbook.caption or "")
    assert "共 2 件案件" in (workbook.caption or "")
    rows = workbook_rows(emulator, workbook)
    assert rows[0] == HEADERS_ZH
    assert rows[1] == FIRST_ZH
    assert [row[0] for row in rows[1:]] == ["JN-000001", "JN-000002"]
    assert table.document is not None
    assert (await lead.ask("/export 2026-10 JN02")).text == NOT_ALLOWED


async def test_residents_and_officers_are_refused(
    emulator: TelegramEmulator, register: App
) -> None:
    for user in (emulator.user(RESIDENT, "居民"), emulator.user(OFFICER, "李网格")):
        for command in ("/export 2026-10", "/map"):
            assert (await user.ask(command)).text == NOT_ALLOWED


async def test_bad_or_empty_requests_are_answered_politely(
    emulator: TelegramEmulator, register: App
) -> None:
    admin = emulator.user(ADMIN, "管理员")
    for command in ("/export 2026-13", "/export 2026-10-01", "/export 2026-10-31 2026-10-01"):
        assert "没看懂时间段" in ((await admin.ask(command)).text or "")
    unknown = await admin.ask("/export 2026-10 NOPE")
    assert unknown.text == "没有找到区域“NOPE”。发送 /areas 查看区域编号。"
    empty = await admin.ask("/export 2026-08")
    assert empty.text == "全街道在 2026-08-01 – 2026-08-31 没有登记的案件，没有生成文件。"
    await admin.expect_silence(0.3)  # and no files
    no_map = await admin.ask("/map")  # the seeded areas have no boundaries
    assert no_map.text is not None
    assert no_map.text.startswith("“全街道”还没有边界数据")


async def test_a_month_without_cases_still_gives_the_stations_sheet(
    emulator: TelegramEmulator, register: App
) -> None:
    """No case was filed in August, but the street has a micro fire station: its month is in the
    workbook (0 alerts), so the workbook is sent, without the cases' CSV."""
    await stations.save_station(register.database, "幸福微站", "JN01", 30.2745, 120.1556)
    admin = emulator.user(ADMIN, "管理员")
    await admin.send("/export 2026-08")
    workbook = await admin.next_message()
    assert workbook.document is not None
    assert workbook.caption == (
        "案件登记表 · 2026-08-01 – 2026-08-31 · 全街道\n"
        "这段时间没有登记的案件；表格中有微型消防站和报告数字。"
    )
    await admin.expect_silence(0.3)  # no CSV of no cases
    data = file_bytes(emulator, workbook.document["file_id"])
    book = load_workbook(io.BytesIO(data))
    cases, station_sheet = book.worksheets[0], book.worksheets[1]
    assert cases.max_row == 1  # the header only
    rows = [[cell.value for cell in row] for row in station_sheet.iter_rows(min_row=2)]
    assert [(row[0], row[2], row[3]) for row in rows] == [("幸福微站", "2026-08", 0)]


async def test_a_register_too_big_for_telegram_is_refused(
    emulator: TelegramEmulator, register: App, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(handlers.admin.export, "UPLOAD_LIMIT", 1000)
    reply = await emulator.user(ADMIN, "管理员").ask("/export 2026-10")
    assert reply.document is None
    assert (reply.text or "").startswith("导出文件有")
    assert "python -m bot export" in (reply.text or "")


# --- /map --------------------------------------------------------------------------------------


@pytest.fixture
async def street(bot_app: App) -> App:
    """The demo street; open cases in 幸福社区 (one overdue) and one in another community."""
    await import_file(bot_app.database, DEMO_FILE)
    await staff.appoint(bot_app.database, LEAD, Role.LEAD, "JN01")
    now = utcnow()
    async with bot_app.database.transaction() as session:
        reporter = Person(tg_id=8510, name="居民")
        session.add(reporter)
        await session.flush()
        areas = {a.code: a.id for a in (await session.scalars(select(Area))).all()}
        kinds = {c.code: c.id for c in (await session.scalars(select(Category))).all()}

        def case(code: str, kind: str, status: CaseStatus, place: tuple[float, float]) -> Case:
            return Case(
                status=status,
                category_id=kinds[kind],
                area_id=areas[code],
                reporter_id=reporter.id,
                latitude=place[0],
                longitude=place[1],
                submitted_at=now - timedelta(hours=3),
                accept_due_at=now - timedelta(hours=2),  # passed: overdue while new
                resolve_due_at=now + timedelta(days=1),
            )

        session.add_all(
            [
                case("JN01-1", "fire", CaseStatus.NEW, (30.605, 104.0025)),
                case("JN01-1", "dog", CaseStatus.RESOLVED, (30.607, 104.002)),
                case("JN01-2", "sanitation", CaseStatus.ACCEPTED, (30.605, 104.0075)),
                case("JN01-2", "sanitation", CaseStatus.CLOSED, (30.606, 104.0075)),
                case("JN05-1", "other", CaseStatus.ACCEPTED, (30.625, 104.002)),
            ]
        )
    return bot_app


def picture(emulator: TelegramEmulator, message: BotMessage) -> Image.Image:
    assert message.photo is not None
    data = file_bytes(emulator, message.photo[-1]["file_id"])
    image = Image.open(io.BytesIO(data))
    assert image.format == "PNG"
    return image.convert("RGB")


def has_colour(image: Image.Image, colour: tuple[int, int, int]) -> bool:
    return any(found == colour for _, found in image.getcolors(maxcolors=1 << 20) or [])


async def test_a_leads_map_of_their_community(emulator: TelegramEmulator, street: App) -> None:
    lead = emulator.user(LEAD, "社区张")
    shown = await lead.ask("/map")
    assert shown.caption is not None
    assert shown.caption.startswith("幸福社区 未办结案件地图 · ")
    assert shown.caption.endswith("未办结 3 件，其中超时 1 件（红圈标出）。")
    image = picture(emulator, shown)
    assert image.width > 500
    assert image.height > 400
    assert len(image.getcolors(maxcolors=1 << 20) or []) > 10
    assert has_colour(image, OVERDUE_RED)
    assert (await lead.ask("/map JN05")).text == NOT_ALLOWED


async def test_an_admins_map_of_the_street_and_of_a_grid(
    emulator: TelegramEmulator, street: App
) -> None:
    admin = emulator.user(ADMIN, "管理员")
    whole = await admin.ask("/map")
    assert (whole.caption or "").endswith("未办结 4 件，其中超时 1 件（红圈标出）。")
    assert picture(emulator, whole).width > 500
    calm = await admin.ask("/map JN01-2")  # one accepted case, in time
    assert (calm.caption or "").endswith("未办结 1 件，其中超时 0 件（红圈标出）。")
    assert not has_colour(picture(emulator, calm), OVERDUE_RED)


# --- the command line --------------------------------------------------------------------------


async def seeded_file(url: str) -> None:
    database = Database(url)
    try:
        await migrate.upgrade(database)
        await seed(database)
    finally:
        await database.dispose()


def test_the_command_line_writes_the_register(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    url = f"sqlite+aiosqlite:///{tmp_path / 'cli.db'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("TIMEZONE", "Asia/Shanghai")
    asyncio.run(seeded_file(url))
    october = ["--from", "2026-10-01", "--to", "2026-10-31"]

    assert main(["export", *october]) == 0
    written = tmp_path / "data" / "exports" / "cases_2026-10-01_2026-10-31.xlsx"  # the data folder
    assert capsys.readouterr().out.strip() == f"{written}: 5 cases filed 2026-10-01 – 2026-10-31"
    sheet = load_workbook(written).worksheets[0]
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert rows[0] == HEADERS_ZH  # no reporters unless asked
    assert sheet.auto_filter.ref == f"A1:{sheet.cell(1, len(HEADERS_ZH)).column_letter}{len(rows)}"
    assert sheet.column_dimensions["B"].width >= 40  # a category's English name is not cut
    assert rows[2] == FIRST_ZH

    out = tmp_path / "jn01.csv"
    args = ["--area", "jn01", "--format", "csv", "--out", str(out), "--reporters"]
    assert main(["export", *october, *args, "--language", "en"]) == 0
    assert capsys.readouterr().out.strip() == f"{out}: 2 cases filed 2026-10-01 – 2026-10-31"
    lines = list(csv.reader(io.StringIO(out.read_text(encoding="utf-8-sig"), newline="")))
    assert lines[0][-4:] == ["Reporter", "Reporter Telegram id", "Reporter username", "Anonymous"]
    assert lines[1][:3] == ["JN-000001", "Fire hazard", "closed"]
    assert lines[1][-4:] == ["居民甲", "101", "jia", "no"]

    assert main(["export", *october, "--area", "NOPE"]) == 1
    assert "NOPE" in capsys.readouterr().err

    # The command line's mistakes in the command line's words, not chat's ("today, week, …").
    assert main(["export", "--from", "2026-10-31", "--to", "2026-10-01"]) == 1
    said = capsys.readouterr().err
    assert "--from must not be after --to" in said
    assert "week" not in said
    with pytest.raises(SystemExit):
        main(["export", "--from", "2026-13-01", "--to", "2026-10-31"])
    assert "write YYYY-MM-DD" in capsys.readouterr().err
