"""The operators' command line: areas, demo data, people and invites, as a user runs them."""

from __future__ import annotations

import asyncio
import json
import os
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select

from app.admin_cli import DEMO_FILE, demo_data
from app.cli import main
from app.wiring import App
from bot.people import staff
from bot.places.areas import import_file
from sandbox.emulator import TelegramEmulator
from storage.models import Case, CaseOwed, CaseStatus, Person, Role
from storage.types import utcnow

ROOT = Path(__file__).parents[2]


async def run_cli(tmp_path: Path, *args: str, **env: str) -> tuple[int, str, str]:
    environment = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'cli.db'}",
        # This checkout's code, not whichever the virtualenv installed (the run is in tmp_path).
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        **env,
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        *args,
        env=environment,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode is not None
    return process.returncode, out.decode(), err.decode()


async def test_demo_data_areas_and_people(tmp_path: Path) -> None:
    code, out, err = await run_cli(tmp_path, "demo-data")
    assert code == 0, err
    assert "12 communities, 24 grids" in out
    code, out, _ = await run_cli(tmp_path, "areas", "list")
    assert out.splitlines()[0] == "JN  江南街道  (street)"
    assert sum(line.endswith("(grid)") for line in out.splitlines()) == 24
    code, out, _ = await run_cli(
        tmp_path, "people", "add", "--tg-id", "555", "--role", "officer", "--area", "JN03-2"
    )
    assert (code, out.strip()) == (0, "555 is now officer of JN03-2 文化社区第二网格")
    code, _, err = await run_cli(
        tmp_path, "people", "add", "--tg-id", "555", "--role", "officer", "--area", "JN03"
    )
    assert code == 1
    assert err.strip() == "The area of a grid officer must be a grid; JN03 is not."
    bad = tmp_path / "bad.geojson"
    bad.write_text(
        '{"type": "FeatureCollection", "features": [{"type": "Feature", "properties": {"code": "X", "name": "x", "level": "grid", "parent": "NOPE"}, "geometry": null}]}'
    )
    code, _, err = await run_cli(tmp_path, "areas", "import", str(bad))
    assert code == 1
    assert "feature 1 (X): a grid needs a boundary" in err
    assert "Traceback" not in err


async def test_an_invite_link_works_once(
    emulator: TelegramEmulator, bot_app: App, tmp_path: Path
) -> None:

    await import_file(bot_app.database, DEMO_FILE)
    db_url = bot_app.settings.database_url.replace("+aiosqlite", "")
    code, out, err = await run_cli(
        tmp_path,
        "invite",
        "--role",
        "officer",
        "--area",
        "JN01-1",
        BOT_TOKEN=emulator.token,
        TELEGRAM_API_URL=emulator.url,
        DATABASE_URL=db_url,
    )
    assert code == 0, err
    link = out.strip()
    assert link.startswith("https://t.me/test_minqing_bot?start=inv_")
    token = link.split("start=")[1]
    assert len(token) > 40

    officer = emulator.user(8101, "网格员小李")
    welcome = await officer.ask(f"/start {token}")
    assert welcome.text == "欢迎！您现在是幸福社区第一网格的网格员。"
    async with bot_app.database.sessions() as session:
        person = await session.scalar(select(Person).where(Person.tg_id == 8101))
    assert person is not None
    assert person.role == Role.OFFICER
    # The menu is set right after the welcome is sent.
    await emulator.wait_for(lambda: ("chat:8101", "") in emulator.commands, 5)

    thief = emulator.user(8102, "路人")
    assert (
        await thief.ask(f"/start {token}")
    ).text == "这个邀请链接已经被使用过了。如需帮助请联系街道管理员。"
    guess = await thief.ask("/start inv_" + "A" * 43)
    assert guess.text == "这个邀请链接无效。"
    async with bot_app.database.sessions() as session:
        stranger = await session.scalar(select(Person).where(Person.tg_id == 8102))
    assert stranger is not None
    assert stranger.role == Role.RESIDENT


async def test_an_expired_invite_is_refused(emulator: TelegramEmulator, bot_app: App) -> None:
    invite = await staff.create_invite(bot_app.database, Role.ADMIN, None, days=-1)
    user = emulator.user(8103, "过期")
    reply = await user.ask(f"/start inv_{invite.token}")
    assert reply.text == "这个邀请链接已经过期了，请向发出邀请的人要一个新的。"


@pytest.mark.parametrize(
    ("content", "said"),
    [
        ('{"type": "FeatureCollection", "features": ' + "[" * 100_000 + "]" * 100_000 + "}",
         "nests its arrays too deeply"),
        (" " * (5 * 1024 * 1024 + 1), "larger than 5 MB"),
    ],
)  # fmt: skip
async def test_a_hostile_area_file_ends_in_a_clear_line(
    tmp_path: Path, content: str, said: str
) -> None:
    path = tmp_path / "areas.geojson"
    path.write_text(content, encoding="utf-8")
    code, _, err = await run_cli(tmp_path, "areas", "import", str(path))
    assert code == 1
    assert said in err
    assert "Traceback" not in err


def test_an_empty_street_points_to_the_demo(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'empty.db'}")
    assert main(["areas", "list"]) == 0
    said = capsys.readouterr().out
    assert "python -m bot demo-data" in said
    assert "python -m bot areas import" in said


async def test_demo_data_files_a_month_of_cases_that_figures_show(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    """A newcomer's /stats, /map and export show something at once; the demo cases owe nobody
    a message, so the clock sends nothing to the demo staff's made-up chats."""
    await demo_data(bot_app.database, 40, bot_app.settings.tz)
    async with bot_app.database.sessions() as session:
        cases = list(await session.scalars(select(Case)))
        owed = list(await session.scalars(select(CaseOwed).where(CaseOwed.done_at.is_(None))))
    assert len(cases) == 40
    assert {case.status for case in cases} >= {CaseStatus.NEW, CaseStatus.CLOSED}
    assert all(case.number and case.area_id for case in cases)
    assert owed == []
    admin = emulator.user(900001, "管理员")
    today = utcnow().astimezone(bot_app.settings.tz).date()
    month = f"{today - timedelta(days=31)} {today}"  # whatever day of the month this runs on
    figures = (await admin.ask(f"/stats {month}", timeout=30)).text or ""
    assert "立案" in figures
    assert "没有" not in figures.split("\n")[0]
    assert (await admin.next_message(timeout=30)).photo is not None  # the chart
    assert (await admin.ask("/map", timeout=30)).photo is not None


async def test_demo_staff_have_names_on_the_cards(emulator: TelegramEmulator, bot_app: App) -> None:
    """A demo officer never writes to the bot, so Telegram never gives their name: the demo
    does, and a card says who took the case rather than a bare Telegram id."""
    await demo_data(bot_app.database, 40, bot_app.settings.tz)
    async with bot_app.database.sessions() as session:
        taken = await session.scalar(select(Case).where(Case.officer_id.is_not(None)).limit(1))
    assert taken is not None
    card = (await emulator.user(900001, "管理员").ask(f"/case {taken.number}")).text or ""
    [officer] = [line for line in card.splitlines() if line.startswith("承办：")]
    assert officer.endswith("网格网格员"), officer  # e.g. 承办：幸福社区第一网格网格员


CATEGORIES_FILE = ROOT / "app" / "demo" / "categories.yaml"


async def test_categories_import_is_idempotent_and_export_reads_back(tmp_path: Path) -> None:
    code, out, err = await run_cli(tmp_path, "categories", "import", str(CATEGORIES_FILE))
    assert (code, err) == (0, "")
    assert out == (
        "categories imported from categories.yaml: 4 added (safety, dispute, scrap, living), "
        "1 changed (other), 0 deactivated, 4 unchanged\n"
    )
    code, out, _ = await run_cli(tmp_path, "categories", "import", str(CATEGORIES_FILE))
    assert (code, out) == (0, "categories from categories.yaml: nothing changed (9 unchanged)\n")
    exported = tmp_path / "out.json"
    code, out, _ = await run_cli(tmp_path, "categories", "export", str(exported), "--json")
    assert (code, out) == (0, f"categories written to {exported}\n")
    assert [c["code"] for c in json.loads(exported.read_text("utf-8"))["categories"]][-1] == "other"
    code, out, _ = await run_cli(tmp_path, "categories", "import", str(exported))
    assert out == "categories from out.json: nothing changed (9 unchanged)\n"


async def test_a_bad_categories_file_ends_in_clear_lines(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("categories:\n- code: fire\n  name: {zh: 火}\n  accept: 1d\n  resolve: 1h\n")
    code, out, err = await run_cli(tmp_path, "categories", "import", str(bad))
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "The categories file has 2 problem(s) and was not imported; the categories are unchanged:",
        "• category fire · name.en: must not be empty",
        "• category fire · accept: the accept deadline cannot be longer than the resolve deadline",
    ]
    code, _, err = await run_cli(tmp_path, "categories", "import", str(tmp_path / "none.yaml"))
    assert code == 1
    assert "cannot open the file" in err
    assert "Traceback" not in err


def test_categories_export_prints_yaml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'export.db'}")
    assert main(["categories", "export"]) == 0
    printed = capsys.readouterr().out
    assert printed.startswith("categories:\n- code: fire\n  name:\n    zh: 火灾隐患\n")
    assert "danger_now: true" in printed


async def test_duties_import(tmp_path: Path) -> None:
    code, _, err = await run_cli(tmp_path, "demo-data", "--cases", "0")
    assert code == 0, err
    sample = ROOT / "app" / "demo" / "duties.yaml"
    code, out, err = await run_cli(tmp_path, "duties", "import", str(sample))
    assert code == 0, err
    assert out.startswith("duties imported from duties.yaml: 5 (幸福社区第一网格日巡, ")
    bad = tmp_path / "duties.yaml"
    bad.write_text(sample.read_text(encoding="utf-8").replace("area: JN01-1", "area: NOPE"))
    code, _, err = await run_cli(tmp_path, "duties", "import", str(bad))
    assert code == 1
    assert err.strip() == (
        "The duties file has a problem (幸福社区第一网格日巡): area NOPE. Nothing was imported."
    )
