"""`python -m bot groups`: residents' groups and their leaders from the command line."""

from __future__ import annotations

from pathlib import Path

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
