"""The report pipeline against a bare aiogram echo bot, on the same emulator with limits off.

N residents (default 200) each file a whole report at once: /report, category, quick question,
text, photo, done, location, submit — 8 updates each, answered by the real bot on SQLite with
the demo street (so cards go to grid officers). Then a bare aiogram echo bot (one handler, no
database) handles as many updates from as many users. The emulator and the simulated people run
in a process of their own (`bench/load_process.py`), so this process's CPU is the bot's.
Telegram's 30 messages/s limit is lifted in the bot's throttle too: this measures the bot, not
the limit. Handling latency is measured inside the bot (the update journal's timer).
`BENCH_DATABASE_URL` runs it on another database (an empty PostgreSQL one, say).
"""

from __future__ import annotations

import asyncio
import collections
import contextlib
import itertools
import json
import math
import os
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path
from typing import Any

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.types import Message
from sqlalchemy import event

from app import admin_cli
from app.runner import run_polling
from app.wiring import create_app
from bench.common import peak_rss_mb, percentile, report
from bot.config import Settings
from bot.telegram.session import api_server
from bot.telegram.throttle import Throttle
from storage.db import IMMEDIATE

UNLIMITED = 1_000_000
STARTUP_CALLS = frozenset({"deleteWebhook", "getMe", "setMyCommands"})
TRUE_CALLS = frozenset({"answerCallbackQuery", "sendChatAction", "deleteMessage"})
ROOT = str(Path(__file__).resolve().parents[1])
LOAD_TIMEOUT_S = 900


@contextlib.asynccontextmanager
async def _load(
    mode: str, count: int, **env: str
) -> AsyncIterator[tuple[dict[str, Any], Callable[[], Awaitable[dict[str, Any]]]]]:
    """The load process: yields the emulator's address and a function that starts the load and
    returns its figures."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.load_process",
        mode,
        str(count),
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        env={**os.environ, "PYTHONPATH": ROOT, **env},
    )
    assert process.stdin is not None
    assert process.stdout is not None
    stdout, stdin = process.stdout, process.stdin

    async def go() -> dict[str, Any]:
        stdin.write(b"go\n")
        await stdin.drain()
        return json.loads(await asyncio.wait_for(stdout.readline(), LOAD_TIMEOUT_S))

    try:
        yield json.loads(await asyncio.wait_for(stdout.readline(), 60)), go
        stdin.write(b"stop\n")
        await stdin.drain()
        await asyncio.wait_for(process.wait(), 30)
    finally:
        if process.returncode is None:
            process.kill()
        await process.wait()


async def _pipeline(residents: int, folder: Path) -> dict[str, Any]:
    async with _load("report", residents) as (emulator, go):
        settings = Settings(
            bot_token=emulator["token"],
            telegram_api_url=emulator["url"],
            database_url=os.environ.get("BENCH_DATABASE_URL")
            or f"sqlite+aiosqlite:///{folder / 'bench.db'}",
            media_dir=folder / "media",
            _env_file=None,
        )
        app = await create_app(settings)
        await admin_cli.demo_data(app.database)
        database_counts = _count_database(app)
        app.retry.throttle = Throttle(UNLIMITED, global_per_s=UNLIMITED, chat_interval_s=0)
        polling = asyncio.create_task(run_polling(app, handle_signals=False, polling_timeout=1))
        try:
            cpu_started = time.process_time()
            database_counts.clear()
            figures = await go()
            cpu_s = time.process_time() - cpu_started
            counted = dict(database_counts)
            lone_figures = await go()
        finally:
            with contextlib.suppress(RuntimeError):
                await app.dispatcher.stop_polling()
            await asyncio.wait_for(polling, 30)
            await app.close()
    everything = [s * 1000 for s in app.metrics.recent_latencies]
    lone = everything[len(everything) - lone_figures["updates"] :]
    latencies = everything[: len(everything) - len(lone)]
    seconds, updates = figures["seconds"], figures["updates"]
    return {
        "residents": residents,
        "reports_filed": figures["filed"],
        "reports_per_s": round(figures["filed"] / seconds, 1),
        "updates": figures["updates"],
        "updates_per_s": round(figures["updates"] / seconds, 1),
        "p50_ms": round(percentile(latencies, 0.5), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "seconds": round(seconds, 2),
        # Bot API calls the bot made for the crowd (getUpdates aside), per update and by method.
        "api_calls_per_update": round(sum(_calls_plan(figures["api_calls"], updates)), 2),
        "api_calls": figures["api_calls"],
        # A resident's whole report as they wait for it, first message to confirmation: the
        # 8 handling times and the time their updates queued behind the crowd's.
        "report_p50_s": round(percentile(figures["report_seconds"], 0.5), 2),
        "report_p99_s": round(percentile(figures["report_seconds"], 0.99), 2),
        # The bot process's CPU (all its threads) per update: steadier than rates on a busy machine.
        "cpu_ms_per_update": round(cpu_s * 1000 / max(1, figures["updates"]), 2),
        # The database's work an update (the journal included), while the crowd reported: SQL
        # statements (BEGIN included), sessions, pool checkouts and write transactions.
        **{
            f"{name}_per_update": round(counted.get(name, 0) / max(1, updates), 2)
            for name in ("statements", "sessions", "connections", "write_transactions")
        },
        # A resident alone on the warm bot (after the crowd): the handling time nobody queues for.
        "lone_reports_filed": lone_figures["filed"],
        "lone_p50_ms": round(percentile(lone, 0.5), 2),
        "lone_p99_ms": round(percentile(lone, 0.99), 2),
    }


def _count_database(app: Any) -> collections.Counter[str]:
    """Counts, from now on, the bot's database work: SQL statements, sessions (ORM sessions made,
    and the journal's Core write connections), connections taken from the pool, and write
    transactions (the background jobs' too, which are few while the crowd reports)."""
    counts: collections.Counter[str] = collections.Counter()
    database = app.database
    engine = database.engine.sync_engine
    make_session, open_write = database.sessions, database.write

    def session(*args: Any, **kwargs: Any) -> Any:
        counts["sessions"] += 1
        return make_session(*args, **kwargs)

    def write(*args: Any, **kwargs: Any) -> Any:
        counts["sessions"] += 1
        return open_write(*args, **kwargs)

    def statement(*_: Any) -> None:
        counts["statements"] += 1

    def checkout(*_: Any) -> None:
        counts["connections"] += 1

    def begin(connection: Any) -> None:
        if connection.get_execution_options().get(IMMEDIATE) or not database.is_sqlite:
            counts["write_transactions"] += 1

    database.sessions, database.write = session, write
    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine.pool, "checkout", checkout)
    event.listen(engine, "begin", begin)
    return counts


def _calls_plan(api_calls: dict[str, int], updates: int) -> tuple[float, float]:
    """The pipeline's Bot API calls per update: (those answered with an object such as a
    Message, those answered with True), the start-up calls aside."""
    calls = {k: v for k, v in api_calls.items() if k not in STARTUP_CALLS}
    answered_true = sum(calls.get(method, 0) for method in TRUE_CALLS)
    return (sum(calls.values()) - answered_true) / updates, answered_true / updates


def _spread(per_update: float, n: int) -> int:
    """How many of `per_update` calls the n-th update makes, so that any run of updates makes
    them at that rate."""
    return math.floor((n + 1) * per_update) - math.floor(n * per_update)


async def _bare_echo(
    users_count: int, updates: int, plan: tuple[float, float] = (1.0, 0.0)
) -> tuple[float, float]:
    """Updates per second of a bare aiogram bot that echoes each message, and its CPU ms each.
    With a `plan` (see `_calls_plan`) it makes as many calls an update as the pipeline: replies
    for the calls answered with an object, chat actions for those answered with True."""
    each = max(1, updates // users_count)
    objects_each, trues_each = plan
    handled = itertools.count()
    async with _load("echo", users_count, UPDATES_EACH=str(each)) as (emulator, go):
        bot = Bot(emulator["token"], session=AiohttpSession(api=api_server(emulator["url"])))
        router = Router()

        @router.message()
        async def echo(message: Message) -> None:
            n = next(handled)
            for _ in range(_spread(trues_each, n)):
                await bot.send_chat_action(message.chat.id, "typing")
            for _ in range(max(1, _spread(objects_each, n))):
                await message.answer(message.text or "?")

        dispatcher = Dispatcher()
        dispatcher.include_router(router)
        polling = asyncio.create_task(
            dispatcher.start_polling(bot, handle_signals=False, polling_timeout=1)
        )
        try:
            cpu_started = time.process_time()
            figures = await go()
            cpu_s = time.process_time() - cpu_started
        finally:
            await dispatcher.stop_polling()
            await asyncio.wait_for(polling, 30)
            await bot.session.close()
    return figures["updates"] / figures["seconds"], cpu_s * 1000 / max(1, figures["updates"])


async def run(size: int | None) -> None:
    residents = size or 200
    with tempfile.TemporaryDirectory() as folder:
        figures = await _pipeline(residents, Path(folder))
    bare, bare_cpu_ms = await _bare_echo(residents, int(figures["updates"]))
    figures["bare_echo_updates_per_s"] = round(bare, 1)
    figures["bare_echo_cpu_ms_per_update"] = round(bare_cpu_ms, 2)
    figures["ratio_to_bare_echo"] = round(figures["updates_per_s"] / bare, 3)
    # The same bare bot making as many Bot API calls an update as the pipeline did: what the
    # pipeline's Telegram traffic alone allows, with no database and no logic.
    plan = _calls_plan(figures["api_calls"], int(figures["updates"]))
    same, same_cpu_ms = await _bare_echo(residents, int(figures["updates"]), plan)
    figures["same_calls_echo_updates_per_s"] = round(same, 1)
    figures["same_calls_echo_cpu_ms_per_update"] = round(same_cpu_ms, 2)
    figures["ratio_to_same_calls_echo"] = round(figures["updates_per_s"] / same, 3)
    figures["peak_rss_mb"] = peak_rss_mb()
    report("pipeline", figures)
