"""The report pipeline against a bare aiogram echo bot, on the same emulator with limits off.

N residents (default 200) each file a whole report at once: /report, category, quick question,
text, photo, done, location, submit — about 8 updates each, answered by the real bot on SQLite
with the demo street (so cards go to grid officers). Then a bare aiogram echo bot (one handler,
no database) handles the same number of updates from the same number of users. Telegram's
30 messages/s limit is lifted in the bot's throttle too: this measures the bot, not the limit.
Handling latency is measured inside the bot (the update journal middleware's timer).
`BENCH_DATABASE_URL` runs it on another database (an empty PostgreSQL one, say).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
import time
from pathlib import Path

from aiogram import Bot, Dispatcher, Router
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.types import Message
from sqlalchemy import select

from bench.common import Stopwatch, peak_rss_mb, percentile, report
from bench.mixed_load import CASE_NUMBER, PatientUser, assign_places, demo_grids
from bot import admin_cli
from bot.app import create_app
from bot.config import Settings
from bot.runner import run_polling
from bot.telegram import api_server
from bot.throttle import Throttle
from storage.db import Database
from storage.models import Person, Role
from tests.e2e.flows import file_report
from tests.emulator import TelegramEmulator

UNLIMITED = 1_000_000


async def _staff_ids(database: Database) -> list[int]:
    async with database.sessions() as session:
        return list(
            (await session.scalars(select(Person.tg_id).where(Person.role != Role.RESIDENT))).all()
        )


async def _pipeline(residents: int, folder: Path) -> dict[str, float]:
    async with TelegramEmulator() as emu:
        settings = Settings(
            bot_token=emu.token,
            telegram_api_url=emu.url,
            database_url=os.environ.get("BENCH_DATABASE_URL")
            or f"sqlite+aiosqlite:///{folder / 'bench.db'}",
            media_dir=folder / "media",
            _env_file=None,
        )
        app = await create_app(settings)
        await admin_cli.demo_data(app.database)
        for staff_id in await _staff_ids(app.database):
            emu.user(staff_id, f"staff {staff_id}")  # their chats exist: cards reach them
        app.retry.throttle = Throttle(UNLIMITED, global_per_s=UNLIMITED, chat_interval_s=0)
        places = assign_places(await demo_grids(), residents)  # apart: no duplicate prompts
        polling = asyncio.create_task(run_polling(app, handle_signals=False, polling_timeout=1))
        try:
            users = [PatientUser(emu, 700_000 + n, f"居民{n}") for n in range(residents)]
            first_update = emu._next_update_id
            with Stopwatch() as watch:
                confirmations = await asyncio.gather(
                    *(
                        file_report(user, place=place)
                        for user, (_, place) in zip(users, places, strict=True)
                    )
                )
            updates = emu._next_update_id - first_update
            filed = sum(bool(CASE_NUMBER.search(c.text or "")) for c in confirmations)
        finally:
            with contextlib.suppress(RuntimeError):
                await app.dispatcher.stop_polling()
            await asyncio.wait_for(polling, 30)
            await app.close()
    latencies = [s * 1000 for s in app.metrics.recent_latencies]
    return {
        "residents": residents,
        "reports_filed": filed,
        "reports_per_s": round(filed / watch.seconds, 1),
        "updates": updates,
        "updates_per_s": round(updates / watch.seconds, 1),
        "p50_ms": round(percentile(latencies, 0.5), 2),
        "p99_ms": round(percentile(latencies, 0.99), 2),
        "seconds": round(watch.seconds, 2),
    }


async def _bare_echo(users_count: int, updates: int) -> float:
    """Updates per second of a bare aiogram bot that echoes each message."""
    async with TelegramEmulator() as emu:
        bot = Bot(emu.token, session=AiohttpSession(api=api_server(emu.url)))
        router = Router()

        @router.message()
        async def echo(message: Message) -> None:
            await message.answer(message.text or "?")

        dispatcher = Dispatcher()
        dispatcher.include_router(router)
        polling = asyncio.create_task(
            dispatcher.start_polling(bot, handle_signals=False, polling_timeout=1)
        )
        users = [emu.user(800_000 + n, f"u{n}") for n in range(users_count)]
        each = max(1, updates // users_count)

        async def chat(user_index: int) -> None:
            for n in range(each):
                await users[user_index].ask(f"hello {n}")

        started = time.perf_counter()
        await asyncio.gather(*(chat(n) for n in range(users_count)))
        seconds = time.perf_counter() - started
        await dispatcher.stop_polling()
        await asyncio.wait_for(polling, 30)
        await bot.session.close()
    return each * users_count / seconds


async def run(size: int | None) -> None:
    residents = size or 200
    with tempfile.TemporaryDirectory() as folder:
        figures = await _pipeline(residents, Path(folder))
    bare = await _bare_echo(residents, int(figures["updates"]))
    figures["bare_echo_updates_per_s"] = round(bare, 1)
    figures["ratio_to_bare_echo"] = round(figures["updates_per_s"] / bare, 3)
    figures["peak_rss_mb"] = peak_rss_mb()
    report("pipeline", figures)
