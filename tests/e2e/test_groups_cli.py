"""`python -m bot groups`: residents' groups and their leaders from the command line."""

from __future__ import annotations

from pathlib import Path

from app.admin_cli import DEMO_FILE
from app.clock import deliver_owed
from app.wiring import App
from bot.places.areas import import_file
from sandbox.emulator import TelegramEmulator
from tests.e2e.test_admin_cli import run_cli


async def test_groups_add_and_list(tmp_path: Path) -> None:
    code, _, err = await run_cli(tmp_path, "demo-data", "--cases", "0")
    assert code == 0, err
    add = ("groups", "add", "--code", "JN01-G1", "--name", "幸福第一居民小组", "--community")
    code, out, err = await run_cli(tmp_path, *add, "JN01")
    assert code == 0, err
    assert out.strip() == "residents' group JN01-G1 (幸福第一居民小组) set up"
    code, _, err = await run_cli(tmp_path, *add, "JN01-1")  # a grid, not a community
    assert code == 1
    assert err.strip() == "There is no community with the code JN01-1."
    code, _, err = await run_cli(tmp_path, *add, "JN01", "--leader", "123")
    assert code == 1
    assert "123" in err  # nobody with that id has written to the bot
    code, out, err = await run_cli(tmp_path, "groups", "list")
    assert code == 0, err
    assert out.strip() == "JN01-G1\t幸福第一居民小组\tleader: -\tvolunteers: 0"


def _menu(emulator: TelegramEmulator, tg_id: int) -> list[str]:
    return [c["command"] for c in emulator.commands.get((f"chat:{tg_id}", ""), [])]


async def test_a_leader_or_officer_made_on_the_command_line_gets_their_menu(
    emulator: TelegramEmulator, bot_app: App, tmp_path: Path
) -> None:
    """The command line has no bot to ask: it leaves the menu owed, and the running bot's
    clock sets it in the person's chat, as chat does at once."""
    await import_file(bot_app.database, DEMO_FILE)
    leader, officer = emulator.user(8711, "组长老王"), emulator.user(8712, "网格员小李")
    await leader.ask("/start")
    await officer.ask("/start")
    assert "volunteers" not in _menu(emulator, 8711)
    db_url = bot_app.settings.database_url.replace("+aiosqlite", "")
    add = ("groups", "add", "--code", "JN01-G1", "--name", "幸福第一居民小组", "--community")
    code, out, err = await run_cli(tmp_path, *add, "JN01", "--leader", "8711", DATABASE_URL=db_url)
    assert code == 0, err
    assert out.strip().endswith("led by 组长老王")
    people = ("people", "add", "--tg-id", "8712", "--role", "officer", "--area", "JN01-1")
    code, _, err = await run_cli(tmp_path, *people, DATABASE_URL=db_url)
    assert code == 0, err

    assert await deliver_owed(bot_app.database, bot_app.desk) == 2  # the clock's next round
    assert {"duties", "volunteers"} <= set(_menu(emulator, 8711))
    assert {"queue", "patrol", "onduty"} <= set(_menu(emulator, 8712))
    assert await deliver_owed(bot_app.database, bot_app.desk) == 0  # once
