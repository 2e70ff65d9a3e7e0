"""`python -m bot sandbox`: starts with no token and no network, serves its page on loopback,
stops on Ctrl-C, and refuses a configured token it was not told to use."""

from __future__ import annotations

import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from tests.sandbox.process import ROOT, free_port, sandbox_env, sandbox_process

pytestmark = pytest.mark.slow


def get(url: str) -> tuple[int, bytes]:
    with urllib.request.urlopen(url, timeout=10) as response:  # noqa: S310  (loopback)
        return response.status, response.read()


def test_the_command_serves_the_page_and_stops_on_ctrl_c(tmp_path: Path) -> None:
    port = free_port()
    with sandbox_process(tmp_path / "data", port) as running:
        assert running.url == f"http://127.0.0.1:{port}"
        status, page = get(running.url + "/")
        assert status == 200
        assert "民情通" in page.decode()
        for asset in ("page.js", "street.js", "style.css", "samples/dog.jpg"):
            assert get(f"{running.url}/static/{asset}")[0] == 200
        assert b"FeatureCollection" in get(running.url + "/api/street")[1]
        assert (tmp_path / "data" / "bot.db").exists()  # its own database, under its folder
    assert running.process.returncode == 0


def test_a_configured_token_must_be_chosen(tmp_path: Path) -> None:
    env = sandbox_env(BOT_TOKEN="123456:real-token-from-botfather-abcdefgh")
    done = subprocess.run(
        [sys.executable, "-m", "bot", "sandbox", "--data", str(tmp_path)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert "--token demo" in done.stderr
    assert not (tmp_path / "bot.db").exists()  # refused before anything started
