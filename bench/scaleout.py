"""Scale-out: K bot processes in webhook mode on PostgreSQL and Redis, behind a round-robin proxy.

The emulator runs here and delivers every update by webhook to the proxy (also here, on
127.0.0.1), which hands them in turn to K real `python -m bot run --webhook` processes sharing
one PostgreSQL database, one Redis and one media folder. A mixed load runs against them: N
residents (default 100) each file a whole report in the demo street, the grid officers accept
every 2nd case and resolve every 4th from their cards, and an admin's notice goes to 5 × N
subscribed residents at the same time. Once with K=1 and once with K=2, each on a fresh
database (`BENCH_PROCESSES=2` runs only K=2).

Checked per run: every report filed made one case with its own number, every update was
answered 2xx once and journalled handled once, every subscriber got the notice exactly once.
The bot's own throttle (30 messages/s for all instances together, through Redis) stays on: this
is the product as deployed.
The emulator's limits are off unless `BENCH_TELEGRAM_LIMIT` is set (see `_telegram_limits`).
Redis is `BENCH_REDIS_URL` (default db 14 on 127.0.0.1), flushed before each run.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import redis.asyncio as redis
from sqlalchemy import func, insert, literal, select

from app import admin_cli
from bench import mixed_load
from bench.common import Stopwatch, report
from bench.proxy import RoundRobinProxy
from bench.stats_seed import scratch_database
from bot.notices import plans
from bot.notices.audience import Audience, Kind
from bot.people import staff
from sandbox.emulator import TelegramEmulator
from sandbox.emulator.limits import Limits
from storage import migrate
from storage.db import Database
from storage.models import (
    Area,
    Case,
    CaseStatus,
    Delivery,
    DeliveryState,
    Person,
    Role,
    Subscription,
    UpdateRecord,
    UpdateState,
)

ROOT = str(Path(__file__).resolve().parents[1])
# The run flushes this database first: on a machine shared with other runs, give each its own.
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
SECRET = "bench-scaleout-secret"  # noqa: S105 (the webhook secret of a loopback run)
RESIDENT_IDS = 7_000_000
SUBSCRIBER_IDS = 8_000_000
ADMIN_ID = 900_001
SUBSCRIBERS_PER_RESIDENT = 5
START_TIMEOUT_S = 60.0
DRAIN_TIMEOUT_S = 120.0
STOP_TIMEOUT_S = 15.0
NOTICE = "【江南街道】本周六上午在社区广场开展消防安全宣传，欢迎居民参加。"
UNLIMITED = 1_000_000
NAMES = {1: "one_process", 2: "two_processes"}


async def _flush_redis() -> None:
    client = redis.from_url(REDIS_URL)
    try:
        await client.flushdb()
    finally:
        await client.aclose()


async def _seed(database: Database, subscribers: int) -> None:
    """Schema, demo street with its officers and leads, an admin, the subscribed residents."""
    await migrate.upgrade(database)  # before the instances start, as a deploy step would
    with contextlib.redirect_stdout(sys.stderr):  # the last line of stdout is the JSON
        await admin_cli.demo_data(database)
    await staff.appoint(database, ADMIN_ID, Role.ADMIN)
    async with database.transaction() as session:
        street_id = await session.scalar(select(Area.id).where(Area.code == "JN"))
        ids = range(SUBSCRIBER_IDS, SUBSCRIBER_IDS + subscribers)
        await session.execute(insert(Person), [{"tg_id": i, "name": f"居民{i}"} for i in ids])
        await session.execute(
            insert(Subscription).from_select(
                ["person_id", "area_id"],
                select(Person.id, literal(street_id)).where(Person.tg_id.in_(ids)),
            )
        )


async def _plan_notice(database: Database) -> None:
    """The admin's "send now" notice to every subscribed resident; the senders pick it up."""
    draft = plans.Draft(NOTICE, Audience(Kind.RESIDENTS), plans.NOW)
    async with database.transaction() as session:
        author = await session.scalar(select(Person).where(Person.tg_id == ADMIN_ID))
        await plans.save_plan(session, draft, author, ADMIN_ID, tz=_tz())


def _telegram_limits() -> Limits | None:
    """Off by default; `BENCH_TELEGRAM_LIMIT=30` makes the emulator refuse more than 30
    messages a second overall with 429, as Telegram does (the per-chat limit stays off: a
    reply of two messages into a private chat is a burst Telegram tolerates)."""
    limit = os.environ.get("BENCH_TELEGRAM_LIMIT")
    return Limits(global_per_s=int(limit), chat_per_s=UNLIMITED) if limit else None


def _tz() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Shanghai")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _bot_env(
    emu: TelegramEmulator, url: str, proxy_url: str, port: int, media: Path
) -> dict[str, str]:
    kept = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
    return {
        **kept,
        "BOT_TOKEN": emu.token,
        "TELEGRAM_API_URL": emu.url,
        "DATABASE_URL": url,
        "REDIS_URL": REDIS_URL,
        "MEDIA_DIR": str(media),
        "ADMIN_IDS": "",
        "WEBHOOK_URL": f"{proxy_url}/telegram",
        "WEBHOOK_SECRET": SECRET,
        "WEBHOOK_PORT": str(port),
        "LOG_LEVEL": "WARNING",
        "PYTHONPATH": ROOT,
    }


@contextlib.asynccontextmanager
async def _bot_process(env: dict[str, str], log: Path) -> AsyncIterator[Any]:
    """`python -m bot run --webhook`, stopped with SIGTERM (then killed) whatever happens."""
    with log.open("wb") as out:
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--webhook", env=env, stdout=out, stderr=out
        )
        try:
            yield process
        finally:
            if process.returncode is None:
                process.send_signal(signal.SIGTERM)
                try:
                    await asyncio.wait_for(process.wait(), STOP_TIMEOUT_S)
                except TimeoutError:
                    process.kill()
                    await process.wait()


async def _wait(probe: Callable[[], Any], within_s: float, what: str) -> Any:
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if found := probe():
            return found
        await asyncio.sleep(0.05)
    raise TimeoutError(f"waited {within_s:.0f} s in vain for {what}")


async def _load(emu: TelegramEmulator, residents: int) -> tuple[list[str], list[int]]:
    """The mixed load: the reports and officers' work; returns the case numbers and how many
    cases each officer acted on."""
    grids = await mixed_load.demo_grids()
    places = mixed_load.assign_places(grids, residents)
    queues: list[asyncio.Queue[mixed_load.Task | None]] = [asyncio.Queue() for _ in grids]
    officers = [
        mixed_load.Officer(emu, mixed_load.PatientUser(emu, g.officer_id, f"网格员{n}"))
        for n, g in enumerate(grids)
    ]
    work = [asyncio.create_task(o.work(q)) for o, q in zip(officers, queues, strict=True)]
    users = [mixed_load.PatientUser(emu, RESIDENT_IDS + n, f"居民{n}") for n in range(residents)]
    try:
        numbers = await asyncio.gather(
            *(
                mixed_load.resident(users[n], n, place, queues[grid])
                for n, (grid, place) in enumerate(places)
            )
        )
        for queue in queues:
            queue.put_nowait(None)
        acted = await asyncio.gather(*work)
    finally:
        for task in work:
            task.cancel()
    return list(numbers), list(acted)


async def _journal_check(database: Database, update_ids: set[int], numbers: list[str]) -> bool:
    async with database.sessions() as session:
        handled = set(
            (
                await session.scalars(
                    select(UpdateRecord.update_id).where(UpdateRecord.state == UpdateState.HANDLED)
                )
            ).all()
        )
        journalled = await session.scalar(select(func.count()).select_from(UpdateRecord))
        filed = list(
            (
                await session.scalars(select(Case.number).where(Case.status != CaseStatus.DRAFT))
            ).all()
        )
    return (
        handled == update_ids
        and journalled == len(update_ids)
        and len(filed) == len(set(filed)) == len(numbers)
        and set(filed) == set(numbers)
    )


async def _deliveries_left(database: Database) -> int:
    async with database.sessions() as session:
        waiting = (DeliveryState.PENDING, DeliveryState.SENDING)
        query = select(func.count()).where(Delivery.state.in_(waiting))
        return int(await session.scalar(query) or 0)


def _notice_counts(emu: TelegramEmulator, subscribers: int) -> Counter[int]:
    last = SUBSCRIBER_IDS + subscribers
    return Counter(
        int(call.params["chat_id"])
        for call in emu.calls_of("sendMessage")
        if call.status == 200 and SUBSCRIBER_IDS <= int(call.params["chat_id"]) < last
    )


def _answered_once(emu: TelegramEmulator, update_ids: set[int]) -> bool:
    answered = Counter(uid for uid, status in emu.webhook_log if 200 <= status < 300)
    return set(answered) == update_ids and set(answered.values()) == {1}


async def _one_run(processes: int, residents: int, folder: Path) -> dict[str, Any]:
    subscribers = residents * SUBSCRIBERS_PER_RESIDENT
    await _flush_redis()
    async with scratch_database(f"minqing_scale_k{processes}") as url:
        database = Database(url.replace("postgresql://", "postgresql+asyncpg://", 1))
        try:
            await _seed(database, subscribers)
            async with TelegramEmulator(limits=_telegram_limits()) as emu:
                return await _against_bots(emu, database, url, processes, residents, folder)
        finally:
            await database.dispose()


async def _against_bots(
    emu: TelegramEmulator,
    database: Database,
    url: str,
    processes: int,
    residents: int,
    folder: Path,
) -> dict[str, Any]:
    subscribers = residents * SUBSCRIBERS_PER_RESIDENT
    for tg_id in await _people(database):
        emu.user(tg_id, f"p{tg_id}")  # staff and subscribers: their chats exist
    ports = [_free_port() for _ in range(processes)]
    async with contextlib.AsyncExitStack() as stack:
        proxy = await stack.enter_async_context(
            RoundRobinProxy([f"http://127.0.0.1:{port}" for port in ports])
        )
        bots = [
            await stack.enter_async_context(
                _bot_process(
                    _bot_env(emu, url, proxy.url, port, folder / "media"),
                    folder / f"bot{n}.log",
                )
            )
            for n, port in enumerate(ports)
        ]
        await _wait(
            lambda: (
                len([c for c in emu.calls_of("setWebhook") if c.status == 200]) >= processes
                or any(b.returncode is not None for b in bots)
            ),
            START_TIMEOUT_S,
            "every bot to set the webhook",
        )
        if any(b.returncode is not None for b in bots):
            raise RuntimeError(f"a bot process exited at start; see {folder}/bot*.log")
        first_update = emu._next_update_id
        await _plan_notice(database)
        started = time.monotonic()
        with Stopwatch() as watch:
            numbers, acted = await _load(emu, residents)
        sent = _bot_messages(emu, started, started + watch.seconds)
        update_ids = set(range(first_update, emu._next_update_id))
        await _wait(lambda: _answered_once(emu, update_ids), DRAIN_TIMEOUT_S, "every answer")
        await _wait(
            lambda: len(_notice_counts(emu, subscribers)) == subscribers,
            DRAIN_TIMEOUT_S,
            "the notice to reach every subscriber",
        )
        for _ in range(int(DRAIN_TIMEOUT_S / 0.2)):
            if not await _deliveries_left(database):
                break
            await asyncio.sleep(0.2)
        forwarded = list(proxy.forwarded)
    counts = _notice_counts(emu, subscribers)
    return {
        "processes": processes,
        "reports": len(numbers),
        "officer_actions": sum(acted),
        "updates": len(update_ids),
        "reports_handled_once": _answered_once(emu, update_ids)
        and await _journal_check(database, update_ids, numbers),
        "deliveries_sent_once": len(counts) == subscribers and set(counts.values()) == {1},
        "notice_recipients": subscribers,
        "updates_per_s": round(len(update_ids) / watch.seconds, 1),
        "reports_per_s": round(len(numbers) / watch.seconds, 1),
        "bot_messages_per_s": round(sent / watch.seconds, 1),
        "seconds": round(watch.seconds, 2),
        "retry_after_429": emu.retry_after_sent,
        "forwarded_per_process": forwarded,
    }


def _bot_messages(emu: TelegramEmulator, start: float, end: float) -> int:
    """Messages the bots sent or edited between `start` and `end` (the emulator's clock)."""
    return sum(
        1
        for call in emu.calls
        if call.method.startswith(("send", "edit"))
        and call.status == 200
        and start <= call.at <= end
    )


async def _people(database: Database) -> list[int]:
    async with database.sessions() as session:
        return list((await session.scalars(select(Person.tg_id))).all())


async def run(size: int | None) -> None:
    residents = size or 100
    counts = [int(k) for k in os.environ.get("BENCH_PROCESSES", "1,2").split(",")]
    runs: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as folder:
        for processes in counts:
            run_dir = Path(folder) / f"k{processes}"
            run_dir.mkdir()
            runs[NAMES[processes]] = await _one_run(processes, residents, run_dir)
    report("scaleout", _compare(residents, runs))


def _compare(residents: int, runs: dict[str, dict[str, Any]]) -> dict[str, Any]:
    one, two = runs.get("one_process"), runs.get("two_processes")
    figures: dict[str, Any] = {
        "residents": residents,
        "reports_handled_once": all(r["reports_handled_once"] for r in runs.values()),
        "deliveries_sent_once": all(r["deliveries_sent_once"] for r in runs.values()),
        "one_process_updates_per_s": one["updates_per_s"] if one else None,
        "two_processes_updates_per_s": two["updates_per_s"] if two else None,
        "speedup": round(two["updates_per_s"] / one["updates_per_s"], 2) if one and two else None,
    }
    return {**figures, **runs}
