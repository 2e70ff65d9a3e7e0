"""Settings: good values load, bad ones stop the program with one clear line."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import time
from pathlib import Path

import pytest

from bot.config import ConfigError, DatabaseSettings, Settings, load_settings

TOKEN = "123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in list(os.environ):
        if name in Settings.model_fields or name.lower() in Settings.model_fields:
            monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults() -> None:
    settings = load_settings(bot_token=TOKEN)
    assert settings.database_url == "sqlite+aiosqlite:///./data/bot.db"
    assert settings.timezone == "Asia/Shanghai"
    assert settings.default_language == "zh"
    assert settings.broadcast_rate == 25
    assert settings.redis_url is None
    assert settings.admin_ids == frozenset()


def test_values_from_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOT_TOKEN", TOKEN)
    monkeypatch.setenv("ADMIN_IDS", "11, 22,33")
    monkeypatch.setenv("QUIET_HOURS", "22:00-7:00")
    monkeypatch.setenv("DATABASE_URL", "postgresql://bot:pw@127.0.0.1:5432/bot")
    monkeypatch.setenv("REDIS_URL", "")
    settings = load_settings()
    assert settings.admin_ids == frozenset({11, 22, 33})
    assert settings.quiet_hours == (time(22, 0), time(7, 0))
    assert settings.database_url == "postgresql+asyncpg://bot:pw@127.0.0.1:5432/bot"
    assert settings.redis_url is None


def test_env_example_is_complete_and_loads(tmp_path: Path) -> None:
    text = (ROOT / ".env.example").read_text()
    names = {line.split("=", 1)[0] for line in text.splitlines() if "=" in line and line[0] != "#"}
    assert names == {field.upper() for field in Settings.model_fields}
    (tmp_path / ".env").write_text(text.replace("replace-with-your-bot-token", "A" * 30))
    settings = load_settings()
    assert settings.telegram_api_url is None
    assert settings.quiet_hours == (time(22), time(7))


@pytest.mark.parametrize(
    ("overrides", "setting", "reason"),
    [
        ({}, "BOT_TOKEN", "is missing"),
        ({"bot_token": "not-a-token"}, "BOT_TOKEN", "does not look like a bot token"),
        ({"bot_token": TOKEN, "database_url": "mysql://x@y/z"}, "DATABASE_URL", "unsupported"),
        ({"bot_token": TOKEN, "database_url": "::nonsense::"}, "DATABASE_URL", "not a database"),
        ({"bot_token": TOKEN, "timezone": "Mars/Olympus"}, "TIMEZONE", "not a known time zone"),
        ({"bot_token": TOKEN, "admin_ids": "12,abc"}, "ADMIN_IDS", "Telegram user ids"),
        ({"bot_token": TOKEN, "quiet_hours": "late"}, "QUIET_HOURS", "22:00-07:00"),
        ({"bot_token": TOKEN, "webhook_secret": "has space"}, "WEBHOOK_SECRET", "A-Z"),
    ],
)
def test_bad_settings_name_the_setting(overrides: dict, setting: str, reason: str) -> None:
    with pytest.raises(ConfigError) as caught:
        load_settings(**overrides)
    message = str(caught.value)
    assert message.startswith(f"configuration error: {setting} ")
    assert reason in message
    assert "\n" not in message
    assert "not-a-token" not in message  # values (possibly secrets) are never echoed


def test_migrate_needs_no_token() -> None:
    assert load_settings(DatabaseSettings).database_url.startswith("sqlite+aiosqlite")


@pytest.mark.parametrize(
    ("env", "setting"),
    [
        ({}, "BOT_TOKEN"),
        ({"BOT_TOKEN": "oops"}, "BOT_TOKEN"),
        ({"BOT_TOKEN": "123456789:replace-with-your-bot-token"}, "BOT_TOKEN"),
        ({"BOT_TOKEN": TOKEN, "TIMEZONE": "Nowhere/City"}, "TIMEZONE"),
        ({"BOT_TOKEN": TOKEN, "DATABASE_URL": "oracle://db"}, "DATABASE_URL"),
    ],
)
def test_command_line_stops_with_one_line(tmp_path: Path, env: dict, setting: str) -> None:
    clean = {k: v for k, v in os.environ.items() if k.lower() not in Settings.model_fields}
    result = subprocess.run(
        [sys.executable, "-m", "bot", "run"],
        env={**clean, **env},
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"configuration error: {setting} ")
    assert "Traceback" not in result.stderr


def test_help_on_each_command(tmp_path: Path) -> None:
    for command in ([], ["run"], ["migrate"], ["replay-failed"]):
        result = subprocess.run(
            [sys.executable, "-m", "bot", *command, "--help"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        assert result.returncode == 0
        assert "usage: python -m bot" in result.stdout
    run_help = subprocess.run(
        [sys.executable, "-m", "bot", "run", "--help"], capture_output=True, text=True, check=False
    )
    assert "--webhook" in run_help.stdout
