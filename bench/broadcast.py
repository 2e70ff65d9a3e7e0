"""Broadcast: one notice to N subscribers (default 100,000) through the emulator.

The bot is the real `python -m bot run` process (its peak RSS is read from /proc), the emulator
runs here. Three runs, each on a fresh copy of one seeded SQLite database:

1. Telegram's limits enforced (30 messages/s, 1/s per chat), BROADCAST_RATE=30, for a bounded
   window after the first message: `sent_per_s`, `limit_fraction` of 30/s, 429s, duplicates.
2. The same with the default BROADCAST_RATE=25: `default_rate_sent_per_s`.
3. Limits off in the emulator and in the bot's throttle, every recipient, the sender run in this
   process: its raw rate (`raw_sent_per_s`), and `missing` and `duplicates` over the whole
   audience. Interleaved with it (before and after, on an emulator of its own each time), a
   bare aiogram loop sends the same message to the same chats with as many at once as the
   sender (`bare_sent_per_s`, their mean; `raw_to_bare` the ratio): the ceiling of one Python
   process with the emulator in it.
4. Paid broadcasting (PAID_BROADCAST=true) in the real process: an urgent notice to everyone,
   the emulator enforcing 1000/s for paid messages (30/s for the rest): `paid_sent_per_s`,
   `paid_retry_after_429`, `paid_flagged` (messages that carried allow_paid_broadcast) and the
   process's `paid_peak_rss_mb`.

Sending 100,000 messages at 30/s takes 56 minutes; the limited runs stop after `WINDOW_S`
seconds of sending (the rate is steady by then), the raw and paid runs send them all.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

from aiogram import Bot
from aiogram.client.default import DefaultBotProperties
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.enums import ParseMode
from sqlalchemy import insert, literal, select

from app.wiring import create_app
from bench.common import peak_rss_mb, report
from bot.config import Settings
from bot.notices import plans
from bot.notices.audience import Audience, Kind
from bot.notices.sender import WINDOW, Sender, render
from bot.telegram.session import api_server
from bot.telegram.throttle import Throttle
from bot.texts import Catalogue
from handlers.common.notice_keyboards import ack_button
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.limits import Limits
from storage import migrate
from storage.db import Database
from storage.models import Area, AreaLevel, Notice, Person, Role, Subscription

ROOT = str(Path(__file__).resolve().parents[1])
FIRST_ID = 20_000_000
AUTHOR_ID = 900_001
WINDOW_S = 60.0
CHUNK = 5_000
TELEGRAM_LIMIT_PER_S = 30
UNLIMITED = 1_000_000
RAW_BATCH = 500  # as a paid sender claims: half a second at 1000/s
TEXT = "【江南街道】本周六 9:00–12:00 在社区广场开展犬只免疫登记，请携带犬只和证件。"


async def _seed(path: Path, recipients: int) -> None:
    database = Database(f"sqlite+aiosqlite:///{path}")
    await migrate.upgrade(database)
    async with database.transaction() as session:
        street = Area(code="JN", name="江南街道", level=AreaLevel.STREET)
        session.add(street)
        session.add(Person(tg_id=AUTHOR_ID, name="admin", role=Role.ADMIN))
        await session.flush()
        street_id = street.id
    for start in range(0, recipients, CHUNK):
        ids = range(start, min(start + CHUNK, recipients))
        async with database.transaction() as session:
            await session.execute(
                insert(Person), [{"tg_id": FIRST_ID + n, "name": f"居民{n}"} for n in ids]
            )
    async with database.transaction() as session:
        await session.execute(
            insert(Subscription).from_select(
                ["person_id", "area_id"],
                select(Person.id, literal(street_id)).where(Person.role == Role.RESIDENT),
            )
        )
    await database.dispose()


async def _plan_now(path: Path, urgent: bool = False) -> None:
    database = Database(f"sqlite+aiosqlite:///{path}")
    draft = plans.Draft(TEXT, Audience(Kind.RESIDENTS), plans.NOW, urgent=urgent)
    async with database.transaction() as session:
        await plans.save_plan(session, draft, None, AUTHOR_ID, tz=time_zone())
    await database.dispose()


def time_zone() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


async def _run_bot(
    emu: TelegramEmulator,
    database: Path,
    rate: float,
    window_s: float,
    until_sent: int | None = None,
    extra_env: dict[str, str] | None = None,
) -> dict[str, Any]:
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))},
        "BOT_TOKEN": emu.token,
        "TELEGRAM_API_URL": emu.url,
        "DATABASE_URL": f"sqlite:///{database}",
        "MEDIA_DIR": str(database.parent / "media"),
        "BROADCAST_RATE": str(rate),
        "REDIS_URL": "",
        "ADMIN_IDS": str(AUTHOR_ID),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": ROOT,
        **(extra_env or {}),
    }
    started = time.monotonic()
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env, stdout=asyncio.subprocess.DEVNULL
    )
    await _wait(lambda: _sent(emu), 1, 120)
    first_at = time.monotonic()
    peak = 0.0
    deadline = first_at + window_s
    while True:
        peak = max(peak, peak_rss_mb(process.pid))
        if time.monotonic() >= deadline or process.returncode is not None:
            break
        if until_sent is not None and emu.paid_sent >= until_sent:  # a cheap count
            break
        await asyncio.sleep(0.1 if until_sent else 0.5)
    ended = time.monotonic()
    counts = Counter(_sent(emu))
    peak = max(peak, peak_rss_mb(process.pid))
    process.send_signal(signal.SIGTERM)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(process.wait(), 30)
    if process.returncode is None:
        process.kill()
    sent = sum(counts.values())
    return {
        "sent": sent,
        "unique": len(counts),
        "duplicates": sent - len(counts),
        "per_s": sent / max(ended - first_at, 1e-9),
        "first_message_s": round(first_at - started, 2),
        "peak_rss_mb": peak,
    }


def _sent(emu: TelegramEmulator) -> list[int]:
    return [
        int(call.params["chat_id"])
        for call in emu.calls_of("sendMessage")
        if call.status == 200 and int(call.params["chat_id"]) >= FIRST_ID
    ]


async def _wait(probe: Any, count: int, within_s: float) -> Any:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if len(found := probe()) >= count:
            return found
        await asyncio.sleep(0.05)
    raise TimeoutError("the bot sent nothing")


async def _one_run(
    seeded: Path,
    folder: Path,
    recipients: int,
    rate: float,
    window: float,
    *,
    paid: bool = False,
) -> dict[str, Any]:
    run_dir = Path(tempfile.mkdtemp(dir=folder))
    database = run_dir / "bot.db"
    shutil.copy(seeded, database)
    await _plan_now(database, urgent=paid)
    async with TelegramEmulator(limits=Limits()) as emu:
        emu.user(AUTHOR_ID, "admin")
        for n in range(recipients):
            emu.user(FIRST_ID + n, f"r{n}")
        env = {"PAID_BROADCAST": "true"} if paid else None
        until = recipients if paid else None
        figures = await _run_bot(emu, database, rate, window, until, env)
        figures["retry_after_429"] = emu.retry_after_sent
        figures["paid_flagged"] = emu.paid_sent
    shutil.rmtree(run_dir, ignore_errors=True)
    return figures


async def _raw_run(seeded: Path, folder: Path, recipients: int) -> dict[str, Any]:
    database = folder / "raw.db"
    shutil.copy(seeded, database)
    await _plan_now(database)
    async with TelegramEmulator() as emu:
        emu.user(AUTHOR_ID, "admin")
        for n in range(recipients):
            emu.user(FIRST_ID + n, f"r{n}")
        settings = Settings(
            bot_token=emu.token,
            telegram_api_url=emu.url,
            database_url=f"sqlite+aiosqlite:///{database}",
            media_dir=folder / "media",
            _env_file=None,
        )
        app = await create_app(settings)
        app.retry.throttle = Throttle(UNLIMITED, global_per_s=UNLIMITED, chat_interval_s=0)
        sender = Sender(
            app.bot, app.database, app.catalogue, ack_button, batch=RAW_BATCH, unwritten=WINDOW
        )
        started, cpu = time.monotonic(), time.process_time()
        while await sender.run_once():
            pass
        seconds, cpu = time.monotonic() - started, time.process_time() - cpu
        await app.close()
        counts = Counter(_sent(emu))
    sent = sum(counts.values())
    return {
        "sent": sent,
        "unique": len(counts),
        "duplicates": sent - len(counts),
        "per_s": sent / seconds,
        "per_cpu_s": sent / cpu,
    }


async def _bare_loop(recipients: int) -> tuple[float, float]:
    """A bare aiogram bot sending the sender's message to the same chats, `WINDOW` at once, on
    an emulator of its own: messages a second, and a second of this process's CPU time."""
    async with TelegramEmulator() as emu:
        for n in range(recipients):
            emu.user(FIRST_ID + n, f"r{n}")
        bot = Bot(
            emu.token,
            session=AiohttpSession(api=api_server(emu.url)),
            default=DefaultBotProperties(parse_mode=ParseMode.HTML),
        )
        text = render(Notice(text=TEXT, urgent=False), Catalogue.load("zh").translator("zh"))
        chats = iter(range(FIRST_ID, FIRST_ID + recipients))

        async def worker() -> None:
            for chat in chats:
                await bot.send_message(chat, text)

        started, cpu = time.monotonic(), time.process_time()
        await asyncio.gather(*(worker() for _ in range(WINDOW)))
        seconds, cpu = time.monotonic() - started, time.process_time() - cpu
        await bot.session.close()
        assert len(_sent(emu)) == recipients
    return recipients / seconds, recipients / cpu


def _mean(values: Any) -> float:
    values = list(values)
    return sum(values) / len(values)


BARE_BOT = """
import asyncio, pathlib
from aiogram import Bot, Dispatcher, Router
router = Router()
@router.message()
async def echo(message):
    await message.answer(message.text or "")
async def main():
    Dispatcher().include_router(router)
    await Bot("123:" + "A" * 30).session.close()
asyncio.run(main())
print([line for line in pathlib.Path("/proc/self/status").read_text().splitlines()
       if line.startswith("VmHWM:")][0].split()[1])
"""


async def _bare_aiogram_rss_mb() -> float:
    """The peak RSS of a process that only loads aiogram and builds a bot: the floor."""
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-c", BARE_BOT, stdout=asyncio.subprocess.PIPE
    )
    out, _ = await process.communicate()
    return round(int(out.decode().split()[-1]) / 1024, 1)


async def run(size: int | None) -> None:
    recipients = size or 100_000
    window = float(os.environ.get("BENCH_WINDOW_S", WINDOW_S))
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        seeded = folder / "seed.db"
        await _seed(seeded, recipients)
        limited = await _one_run(seeded, folder, recipients, 30, window)
        default = await _one_run(seeded, folder, recipients, 25, window)
        bare = [await _bare_loop(recipients)]
        raw = await _raw_run(seeded, folder, recipients)
        bare.append(await _bare_loop(recipients))
        paid = await _one_run(seeded, folder, recipients, 25, window * 10, paid=True)
    report(
        "broadcast",
        {
            "recipients": recipients,
            "window_s": window,
            "sent_per_s": round(limited["per_s"], 2),
            "limit_per_s": TELEGRAM_LIMIT_PER_S,
            "limit_fraction": round(limited["per_s"] / TELEGRAM_LIMIT_PER_S, 3),
            "default_rate_sent_per_s": round(default["per_s"], 2),
            "default_rate_fraction": round(default["per_s"] / TELEGRAM_LIMIT_PER_S, 3),
            "retry_after_429": limited["retry_after_429"] + default["retry_after_429"],
            "raw_sent_per_s": round(raw["per_s"], 1),
            "raw_sent": raw["sent"],
            "raw_sent_per_cpu_s": round(raw["per_cpu_s"], 1),
            "bare_sent_per_s": [round(wall, 1) for wall, _ in bare],
            "bare_sent_per_cpu_s": [round(cpu, 1) for _, cpu in bare],
            "raw_to_bare": round(raw["per_s"] / _mean(wall for wall, _ in bare), 3),
            "raw_to_bare_cpu": round(raw["per_cpu_s"] / _mean(cpu for _, cpu in bare), 3),
            "paid_sent_per_s": round(paid["per_s"], 1),
            "paid_sent": paid["sent"],
            "paid_flagged": paid["paid_flagged"],
            "paid_retry_after_429": paid["retry_after_429"],
            "paid_peak_rss_mb": paid["peak_rss_mb"],
            "duplicates": limited["duplicates"]
            + default["duplicates"]
            + raw["duplicates"]
            + paid["duplicates"],
            "missing": recipients - raw["unique"],
            "paid_missing": recipients - paid["unique"],
            "peak_rss_mb": max(limited["peak_rss_mb"], default["peak_rss_mb"]),
            "bare_aiogram_rss_mb": await _bare_aiogram_rss_mb(),
            "first_message_s": limited["first_message_s"],
        },
    )
