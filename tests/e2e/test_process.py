"""`python -m bot …` as a user runs it: a real process against the emulator."""

from __future__ import annotations

import asyncio
import os
import signal
import sqlite3
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import pytest

from sandbox.emulator import TelegramEmulator
from tests.e2e.flows import step

pytestmark = pytest.mark.slow
START_TIMEOUT = 30


def bot_env(emulator: TelegramEmulator, tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
    env.update(
        BOT_TOKEN=emulator.token,
        TELEGRAM_API_URL=emulator.url,
        DATABASE_URL=f"sqlite:///{tmp_path / 'data' / 'bot.db'}",
        MEDIA_DIR=str(tmp_path / "media"),
        ADMIN_IDS="900001",
        LOG_LEVEL="INFO",
        REDIS_URL="",
    )
    env.update(extra)
    return env


@asynccontextmanager
async def bot_process(
    env: dict[str, str], cwd: Path, *args: str
) -> AsyncIterator[asyncio.subprocess.Process]:
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "run",
        *args,
        env=env,
        cwd=cwd,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 15)
            except TimeoutError:
                process.kill()
                await process.wait()


async def stop(process: asyncio.subprocess.Process) -> str:
    process.send_signal(signal.SIGTERM)
    await asyncio.wait_for(process.wait(), 15)
    assert process.stdout is not None
    output = (await process.stdout.read()).decode()
    assert process.returncode == 0, output
    assert "Traceback" not in output
    return output


async def test_polling_process_answers_and_remembers_across_a_restart(
    emulator: TelegramEmulator, tmp_path: Path
) -> None:
    env = bot_env(emulator, tmp_path)
    user = emulator.user(4001, "Grace", language_code="zh-hans")
    async with bot_process(env, tmp_path) as process:
        reply = await user.ask("/start", timeout=START_TIMEOUT)
        assert "您好，Grace" in (reply.text or "")
        menu = await user.ask("/language")
        await user.press(menu, "English")
        assert (
            await user.next_message()
        ).text == "Done, I will speak English with you from now on."
        await stop(process)

    await user.send("/start")  # while the bot is down: kept by Telegram, handled after restart
    async with bot_process(env, tmp_path) as process:
        reply = await user.next_message(timeout=START_TIMEOUT)
        assert (reply.text or "").startswith("Hello, Grace!")
        await stop(process)

    db = sqlite3.connect(tmp_path / "data" / "bot.db")
    (journal_mode,) = db.execute("PRAGMA journal_mode").fetchone()
    handled = db.execute("SELECT count(*) FROM update_log WHERE state = 'handled'").fetchone()
    db.close()
    assert journal_mode == "wal"
    assert handled == (4,)  # /start, /language, the button, /start: each exactly once


async def test_webhook_process(
    emulator: TelegramEmulator, tmp_path: Path, unused_tcp_port: int
) -> None:
    env = bot_env(
        emulator,
        tmp_path,
        WEBHOOK_URL=f"http://127.0.0.1:{unused_tcp_port}/telegram",
        WEBHOOK_SECRET="s3cret-token",
        WEBHOOK_PORT=str(unused_tcp_port),
    )
    user = emulator.user(4002, "Heidi", language_code="en")
    async with bot_process(env, tmp_path, "--webhook") as process:
        await emulator.wait_for(lambda: emulator.webhook, START_TIMEOUT)
        reply = await user.ask("/start", timeout=START_TIMEOUT)
        assert (reply.text or "").startswith("Hello, Heidi!")
        await emulator.wait_for(lambda: emulator.webhook_log, 5)
        assert emulator.webhook_log == [(1, 200)]
        await stop(process)


async def test_webhook_mode_needs_its_settings(emulator: TelegramEmulator, tmp_path: Path) -> None:
    env = bot_env(emulator, tmp_path)
    async with bot_process(env, tmp_path, "--webhook") as process:
        await asyncio.wait_for(process.wait(), START_TIMEOUT)
        assert process.stdout is not None
        output = (await process.stdout.read()).decode()
    assert process.returncode == 2
    assert "WEBHOOK_URL and WEBHOOK_SECRET must be set" in output
    assert "Traceback" not in output


@pytest.mark.parametrize(
    ("change", "said"),
    [
        ({"BOT_TOKEN": "42:" + "x" * 35}, "Telegram refused BOT_TOKEN (401 Unauthorized)"),
        ({"TELEGRAM_API_URL": "http://127.0.0.1:9"}, "cannot reach Telegram at http://127.0.0.1:9"),
    ],
)
async def test_a_refused_token_or_unreachable_telegram_ends_in_one_line(
    emulator: TelegramEmulator, tmp_path: Path, change: dict[str, str], said: str
) -> None:
    env = bot_env(emulator, tmp_path, **change)
    for command in ("run", "invite"):
        args = ("--role", "officer", "--area", "JN01-1") if command == "invite" else ()
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", command, *args, env=env, cwd=tmp_path,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _, err = await asyncio.wait_for(process.communicate(), 60)
        lines = err.decode().strip().splitlines()
        assert process.returncode == 3, err.decode()
        assert len(lines) == 1, err.decode()
        assert lines[0].startswith(said)
    database = sqlite3.connect(tmp_path / "data" / "bot.db")
    try:  # no invite was left behind
        assert database.execute("SELECT count(*) FROM invites").fetchone() == (0,)
    except sqlite3.OperationalError:  # no table: `invite` stopped before migrating
        pass
    finally:
        database.close()


async def test_migrate_command(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'm.db'}"}
    env.pop("BOT_TOKEN", None)
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot",
        "migrate",
        env=env,
        cwd=tmp_path,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await asyncio.wait_for(process.communicate(), 60)
    assert process.returncode == 0, err.decode()
    versions = Path(__file__).parents[2] / "storage" / "migrations" / "versions"
    head = max(path.name[:4] for path in versions.glob("[0-9]*.py"))
    assert out.decode().strip() == f"database at revision {head}"
    assert "setup plugin" not in err.decode()  # no Alembic noise for whoever migrates
    db = sqlite3.connect(tmp_path / "m.db")
    assert db.execute("SELECT count(*) FROM categories").fetchone() == (5,)
    db.close()


async def test_a_report_survives_a_restart_midway(
    emulator: TelegramEmulator, tmp_path: Path
) -> None:
    env = bot_env(emulator, tmp_path)
    user = emulator.user(4003, "Ivan")
    async with bot_process(env, tmp_path) as process:
        categories = await user.ask("/report", timeout=START_TIMEOUT)
        await step(user, categories, "🔥 火灾隐患")
        await step(user, categories, "消防通道、楼道被堵")
        assert "描述问题" in (categories.text or "")
        await stop(process)

    async with bot_process(env, tmp_path) as process:
        photos = await user.ask("楼道里堆满纸箱", timeout=START_TIMEOUT)  # the step is still there
        assert "现场照片" in (photos.text or "")
        await user.press(photos, "跳过，没有照片")
        await user.next_message()
        await user.send("🏠 我现在不在现场")  # no areas: the summary comes next
        summary = await user.next_message()
        assert "楼道里堆满纸箱" in (summary.text or "")
        await user.press(summary, "✅ 提交")
        assert "已登记" in ((await user.next_message()).text or "")
        await stop(process)
