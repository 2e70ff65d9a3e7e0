"""Broadcast: one notice to N subscribers (default 100,000) through the emulator.

Every run has the emulator in a process of its own (bench/broadcast_emulator.py) and the sender
in another, so on a two-core machine neither takes the other's CPU. The bot is the real
`python -m bot run` process, each run on a fresh copy of one seeded SQLite database:

1. Telegram's limits enforced (30 messages/s, 1/s per chat), BROADCAST_RATE=30, for a bounded
   window after the first message: `sent_per_s`, `limit_fraction` of 30/s, 429s, duplicates.
2. The same with the default BROADCAST_RATE=25: `default_rate_sent_per_s`.
3. Raw: limits off in the emulator and in the bot's throttle (bench/raw_bot.py: the real
   process, its throttle lifted), an urgent notice with paid broadcasting on (so the sender
   works as a paid run does: 500 claimed at a time, 64 in flight) to every recipient: its rate
   by wall clock (`raw_sent_per_s`) and per CPU second of the bot's process
   (`raw_sent_per_cpu_s`), `raw_missing` and `raw_duplicates` over the whole audience.
   Before and after it, a bare aiogram loop (bench/broadcast_bare.py, a process of its own,
   an emulator of its own) sends the same message to the same chats, as many at once
   (`bare_sent_per_s`, `bare_sent_per_cpu_s`; `raw_to_bare` and `raw_to_bare_cpu` the ratios
   to their mean): the ceiling of one Python process sending through aiogram.
4. Paid broadcasting (PAID_BROADCAST=true) in the real process: an urgent notice to everyone,
   the emulator enforcing 1000/s for paid messages (30/s for the rest): `paid_sent_per_s`,
   `paid_retry_after_429`, `paid_flagged` (messages that carried allow_paid_broadcast) and the
   process's `paid_peak_rss_mb`.

Rates are by the emulator's clock, first message to last; CPU rates over the same stretch from
/proc; `*_load` is the machine's load average then. Sending 100,000 messages at 30/s takes 56
minutes; the limited runs stop after `WINDOW_S` seconds of sending (`BENCH_WINDOW_S`), the raw
and paid runs send them all. `BENCH_PARTS` (default `limited,raw,paid`) picks runs;
`BENCH_BOT_ROOT` runs the bot from another checkout (to compare two versions interleaved), and
`BENCH_PROFILE=FILE` profiles the raw run's process (cProfile).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import signal
import sys
import tempfile
import time
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import insert, literal, select

from bench.broadcast_bare import TEXT
from bench.broadcast_emulator import AUTHOR_ID, FIRST_ID
from bench.common import peak_rss_mb, report
from bot.notices import plans
from bot.notices.audience import Audience, Kind
from storage import migrate
from storage.db import Database
from storage.models import Area, AreaLevel, Person, Role, Subscription

ROOT = str(Path(__file__).resolve().parents[1])
WINDOW_S = 60.0
CHUNK = 5_000
TELEGRAM_LIMIT_PER_S = 30
POLL_S = 0.1
FIRST_MESSAGE_WITHIN_S = 300.0
EVERYONE_WITHIN_S = 3600.0


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


@dataclass
class Emulator:
    """The emulator's process (bench/broadcast_emulator.py) and its address."""

    process: asyncio.subprocess.Process
    url: str
    token: str

    async def ask(self, command: str) -> dict[str, Any]:
        assert self.process.stdin is not None
        assert self.process.stdout is not None
        self.process.stdin.write(f"{command}\n".encode())
        await self.process.stdin.drain()
        return dict(json.loads(await asyncio.wait_for(self.process.stdout.readline(), 120)))


@contextlib.asynccontextmanager
async def _emulator(limits: str, recipients: int) -> AsyncIterator[Emulator]:
    """The emulator in a process of its own, with Telegram's limits (`telegram`) or none."""
    process = await _spawn(
        ["-m", "bench.broadcast_emulator", limits, str(recipients)], {"PYTHONPATH": ROOT}
    )
    try:
        assert process.stdout is not None
        address = json.loads(await asyncio.wait_for(process.stdout.readline(), 600))
        yield Emulator(process, address["url"], address["token"])
    finally:
        await _end(process, b"stop\n")


async def _spawn(args: list[str], env: dict[str, str]) -> asyncio.subprocess.Process:
    return await asyncio.create_subprocess_exec(
        sys.executable,
        *args,
        env={**os.environ, **env},
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
    )


async def _end(process: asyncio.subprocess.Process, line: bytes | None = None) -> None:
    """Ask a process to end (a line on its stdin, else SIGTERM), and kill it if it does not."""
    if process.returncode is None:
        if line is not None and process.stdin is not None:
            with contextlib.suppress(ConnectionError):
                process.stdin.write(line)
                await process.stdin.drain()
        else:
            process.send_signal(signal.SIGTERM)
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(process.wait(), 30)
    if process.returncode is None:
        process.kill()
        await process.wait()


async def _watch(
    emu: Emulator, process: asyncio.subprocess.Process, until: int, window_s: float
) -> dict[str, Any]:
    """Watch `process` send: from the first message the emulator saw until `until` were sent
    or `window_s` passed. Rates are by the emulator's clock (first to last message) and by the
    process's CPU time (all its threads) over the same stretch; peak RSS is its VmHWM."""
    status, began = await emu.ask("status"), time.monotonic()
    while not status["sent"]:
        if process.returncode is not None or time.monotonic() - began > FIRST_MESSAGE_WITHIN_S:
            raise RuntimeError("the process sent nothing")
        await asyncio.sleep(POLL_S)
        status = await emu.ask("status")
    first, cpu, emu_cpu = status, cpu_seconds(process.pid), cpu_seconds(emu.process.pid)
    stop_at = time.monotonic() + window_s
    while status["sent"] < until and time.monotonic() < stop_at and process.returncode is None:
        await asyncio.sleep(POLL_S)
        status = await emu.ask("status")
    cpu = cpu_seconds(process.pid) - cpu
    emu_cpu = cpu_seconds(emu.process.pid) - emu_cpu
    peak = peak_rss_mb(process.pid)
    final = await emu.ask("final")
    return {
        **final,
        "per_s": final["sent"] / max(final["last_at"] - final["first_at"], 1e-9),
        "per_cpu_s": (status["sent"] - first["sent"]) / max(cpu, 1e-9),
        "cpu_s": round(cpu, 2),
        "emulator_per_cpu_s": (status["sent"] - first["sent"]) / max(emu_cpu, 1e-9),
        "first_message_s": round(first["first_at"] - began, 2),
        "peak_rss_mb": peak,
        "load": loadavg(),
    }


def cpu_seconds(pid: int) -> float:
    """The CPU time a process has used so far, user and system, all its threads."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def loadavg() -> float:
    """The machine's load average over the last minute (others' work shares the two cores)."""
    return float(Path("/proc/loadavg").read_text().split()[0])


async def _bot_run(
    seeded: Path,
    folder: Path,
    recipients: int,
    *,
    limits: str,
    rate: float = 25,
    window_s: float = EVERYONE_WITHIN_S,
    paid: bool = False,
    raw: bool = False,
) -> dict[str, Any]:
    """A notice sent by the bot's real process (`bench/raw_bot.py` for the raw run: the same,
    its throttle's limits lifted) to an emulator in a process of its own."""
    run_dir = Path(tempfile.mkdtemp(dir=folder))
    database = run_dir / "bot.db"
    shutil.copy(seeded, database)
    await _plan_now(database, urgent=paid)
    async with _emulator(limits, recipients) as emu:
        env = {
            "BOT_TOKEN": emu.token,
            "TELEGRAM_API_URL": emu.url,
            "DATABASE_URL": f"sqlite:///{database}",
            "MEDIA_DIR": str(run_dir / "media"),
            "BROADCAST_RATE": str(rate),
            "REDIS_URL": "",
            "ADMIN_IDS": str(AUTHOR_ID),
            "LOG_LEVEL": "WARNING",
            "PYTHONPATH": os.environ.get("BENCH_BOT_ROOT", ROOT),
            **({"PAID_BROADCAST": "true"} if paid else {}),
        }
        clean = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
        module = "bench.raw_bot" if raw else "bot"
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            module,
            *([] if raw else ["run"]),
            env={**clean, **env},
            stdout=asyncio.subprocess.DEVNULL,
        )
        try:
            figures = await _watch(emu, process, recipients, window_s)
        finally:
            await _end(process)
    shutil.rmtree(run_dir, ignore_errors=True)
    return figures


async def _bare_loop(recipients: int) -> dict[str, Any]:
    """The bare aiogram loop (bench/broadcast_bare.py) in a process of its own, against an
    emulator in another, without limits."""
    async with _emulator("off", recipients) as emu:
        process = await _spawn(
            ["-m", "bench.broadcast_bare", emu.url, emu.token, str(recipients)],
            {"PYTHONPATH": ROOT},
        )
        try:
            figures = await _watch(emu, process, recipients, EVERYONE_WITHIN_S)
        finally:
            await _end(process, b"done\n")
    return figures


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
    parts = os.environ.get("BENCH_PARTS", "limited,raw,paid").split(",")
    figures: dict[str, Any] = {"recipients": recipients, "emulator": "own process"}
    with tempfile.TemporaryDirectory() as folder_name:
        folder = Path(folder_name)
        seeded = folder / "seed.db"
        await _seed(seeded, recipients)
        if "limited" in parts:
            limited = await _bot_run(
                seeded, folder, recipients, limits="telegram", rate=30, window_s=window
            )
            default = await _bot_run(seeded, folder, recipients, limits="telegram", window_s=window)
            figures |= _limited_figures(window, limited, default)
        if "raw" in parts:
            bare = [await _bare_loop(recipients)]
            raw = await _bot_run(seeded, folder, recipients, limits="off", paid=True, raw=True)
            bare.append(await _bare_loop(recipients))
            figures |= _raw_figures(recipients, raw, bare)
        if "paid" in parts:
            paid = await _bot_run(seeded, folder, recipients, limits="telegram", paid=True)
            figures |= _paid_figures(recipients, paid)
    figures["bare_aiogram_rss_mb"] = await _bare_aiogram_rss_mb()
    report("broadcast", figures)


def _limited_figures(
    window: float, limited: dict[str, Any], default: dict[str, Any]
) -> dict[str, Any]:
    return {
        "window_s": window,
        "sent_per_s": round(limited["per_s"], 2),
        "limit_per_s": TELEGRAM_LIMIT_PER_S,
        "limit_fraction": round(limited["per_s"] / TELEGRAM_LIMIT_PER_S, 3),
        "default_rate_sent_per_s": round(default["per_s"], 2),
        "default_rate_fraction": round(default["per_s"] / TELEGRAM_LIMIT_PER_S, 3),
        "retry_after_429": limited["retry_after_429"] + default["retry_after_429"],
        "limited_duplicates": limited["duplicates"] + default["duplicates"],
        "peak_rss_mb": max(limited["peak_rss_mb"], default["peak_rss_mb"]),
        "first_message_s": limited["first_message_s"],
        "limited_load": [limited["load"], default["load"]],
    }


def _raw_figures(
    recipients: int, raw: dict[str, Any], bare: list[dict[str, Any]]
) -> dict[str, Any]:
    bare_wall, bare_cpu = _mean(b["per_s"] for b in bare), _mean(b["per_cpu_s"] for b in bare)
    return {
        "raw_sent_per_s": round(raw["per_s"], 1),
        "raw_sent_per_cpu_s": round(raw["per_cpu_s"], 1),
        "raw_sent": raw["sent"],
        "raw_duplicates": raw["duplicates"],
        "raw_missing": recipients - raw["unique"],
        "raw_peak_rss_mb": raw["peak_rss_mb"],
        "raw_load": raw["load"],
        "raw_emulator_per_cpu_s": round(raw["emulator_per_cpu_s"], 1),
        "bare_sent_per_s": [round(b["per_s"], 1) for b in bare],
        "bare_sent_per_cpu_s": [round(b["per_cpu_s"], 1) for b in bare],
        "bare_load": [b["load"] for b in bare],
        "raw_to_bare": round(raw["per_s"] / bare_wall, 3),
        "raw_to_bare_cpu": round(raw["per_cpu_s"] / bare_cpu, 3),
    }


def _paid_figures(recipients: int, paid: dict[str, Any]) -> dict[str, Any]:
    return {
        "paid_sent_per_s": round(paid["per_s"], 1),
        "paid_sent_per_cpu_s": round(paid["per_cpu_s"], 1),
        "paid_sent": paid["sent"],
        "paid_flagged": paid["paid"],
        "paid_retry_after_429": paid["retry_after_429"],
        "paid_duplicates": paid["duplicates"],
        "paid_missing": recipients - paid["unique"],
        "paid_peak_rss_mb": paid["peak_rss_mb"],
        "paid_load": paid["load"],
    }
