"""Crash trials: the real bot process stops dead at step N of a resident's Submit or an officer's
Accept (tests/crash_points.py), is "restarted", and what was owed must all arrive, at most once
more.

A trial: a fresh database with the demo street and one officer; `python -m tests.crash_points`
against a fresh emulator; the resident files a report (and, for `accept`, the officer presses
Accept on its card); the process ends itself at step N of that update. Then what a restarted
process does: updates it was handling are kept (`replay-failed --interrupted`) and handled
again, and after the lease the clock delivers what the stopped process owed. The verdict says
what was missing and what came twice. Used by tests/e2e/test_crash_points.py (a few points) and
`python -m bench crash` (every point).
"""

from __future__ import annotations

import asyncio
import os
import re
import signal
import sys
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path

from sqlalchemy import func, select

from app.admin_cli import DEMO_FILE
from app.clock import deliver_owed
from app.runner import replay_failed
from app.wiring import create_app
from bot.cases.owed import LEASE
from bot.config import Settings
from bot.people import staff
from bot.places.areas import import_file
from storage import migrate
from storage import updates as journal
from storage.db import Database
from storage.models import Case, CaseOwed, CaseStatus, Role, UpdateRecord, UpdateState
from storage.types import utcnow
from tests.e2e.flows import fill_report
from tests.e2e.test_desk import IN_JN01_1
from tests.emulator import BotMessage, TelegramEmulator, TestUser

OFFICER, RESIDENT = 8901, 8902

ACTIONS = {"submit": r"^v1rn:\d+:s:", "accept": r"^v1od:\d+:a:"}
START_TIMEOUT = 60  # a cold start on a busy 2-core machine
STOP_TIMEOUT = 60
CASE_NUMBER = re.compile(r"[A-Z]+-\d{6}")


@dataclass
class Verdict:
    action: str
    at: int
    crashed: bool = False
    steps: int = 0  # the steps the update had done when it ended (or was stopped)
    missing: list[str] = field(default_factory=list)
    repeated: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.missing and len(self.repeated) <= 1


def _env(emu: TelegramEmulator, workdir: Path, action: str, at: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("BOT_", "WEBHOOK_"))}
    env.update(
        BOT_TOKEN=emu.token,
        TELEGRAM_API_URL=emu.url,
        DATABASE_URL=f"sqlite:///{workdir / 'bot.db'}",
        MEDIA_DIR=str(workdir / "media"),
        ADMIN_IDS="900001",
        LOG_LEVEL="WARNING",
        REDIS_URL="",
        CRASH_DATA=ACTIONS[action],
        CRASH_AT=str(at),
        CRASH_STEPS=str(workdir / "steps"),
    )
    return env


def _settings(emu: TelegramEmulator, workdir: Path) -> Settings:
    return Settings(
        bot_token=emu.token,  # type: ignore[arg-type]
        telegram_api_url=emu.url,
        database_url=f"sqlite+aiosqlite:///{workdir / 'bot.db'}",
        media_dir=workdir / "media",
        admin_ids=frozenset({900001}),
        _env_file=None,  # type: ignore[call-arg]
    )


async def _prepare(workdir: Path) -> None:
    database = Database(f"sqlite+aiosqlite:///{workdir / 'bot.db'}")
    try:
        await migrate.upgrade(database)
        await import_file(database, DEMO_FILE)
        await staff.appoint(database, OFFICER, Role.OFFICER, "JN01-1")
    finally:
        await database.dispose()


async def trial(workdir: Path, action: str, at: int) -> Verdict:
    """One crash trial at step `at` of `action`'s update."""
    workdir.mkdir(parents=True, exist_ok=True)
    await _prepare(workdir)
    verdict = Verdict(action, at)
    async with TelegramEmulator() as emu:
        resident, officer = emu.user(RESIDENT, "居民"), emu.user(OFFICER, "网格员")
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "tests.crash_points",
            env=_env(emu, workdir, action, at),
            stdout=asyncio.subprocess.DEVNULL,
            stderr=asyncio.subprocess.DEVNULL,
        )
        try:
            await emu.wait_for(lambda: emu.calls_of("getUpdates"), START_TIMEOUT)
            await _act(resident, officer, action)
            verdict.crashed = await _ended(process, workdir, emu, resident, officer, action)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        steps = workdir / "steps"
        verdict.steps = int(steps.read_text()) if steps.exists() else 0
        await _restart(emu, workdir)
        await _judge(verdict, emu, workdir, resident, officer)
    return verdict


async def _act(resident: TestUser, officer: TestUser, action: str) -> None:
    summary = await fill_report(resident, place=IN_JN01_1, photos=1)
    if action == "submit":
        await resident.press(summary, "✅ 提交")
        return
    await resident.press(summary, "✅ 提交")
    card = await _card(officer)
    await officer.press(card, "✅ 受理")


async def _card(officer: TestUser) -> BotMessage:
    while True:
        message = await officer.next_message(timeout=30)
        if message.buttons and "✅ 受理" in message.buttons[0]:
            return message


async def _ended(
    process: asyncio.subprocess.Process,
    workdir: Path,
    emu: TelegramEmulator,
    resident: TestUser,
    officer: TestUser,
    action: str,
) -> bool:
    """Whether the process stopped at its crash point; one that outlived it is stopped, once
    the update's work is done."""
    try:
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT / 4)
        return process.returncode == 137
    except TimeoutError:
        pass
    await _settled(workdir)
    process.send_signal(signal.SIGTERM)
    await asyncio.wait_for(process.wait(), STOP_TIMEOUT)
    return False


async def _settled(workdir: Path) -> None:
    """Nothing is owed any more (the update's work is done)."""
    database = Database(f"sqlite+aiosqlite:///{workdir / 'bot.db'}")
    try:
        for _ in range(STOP_TIMEOUT * 10):
            async with database.sessions() as session:
                owed = await session.scalar(
                    select(func.count()).where(CaseOwed.done_at.is_(None))
                )
                filed = await session.scalar(
                    select(func.count()).where(Case.status != CaseStatus.DRAFT)
                )
            if not owed and filed:
                return
            await asyncio.sleep(0.1)
    finally:
        await database.dispose()


async def _restart(emu: TelegramEmulator, workdir: Path) -> None:
    """What a restarted process does: replay what it was handling, then, after the lease, the
    clock's delivery of what it owed."""
    app = await create_app(_settings(emu, workdir))
    try:
        await journal.give_up_interrupted(app.database, timedelta(0))
        await replay_failed(app)
        await deliver_owed(app.database, app.desk, utcnow() + LEASE + timedelta(minutes=1))
    finally:
        await app.close()


async def _judge(
    verdict: Verdict, emu: TelegramEmulator, workdir: Path, resident: TestUser, officer: TestUser
) -> None:
    database = Database(f"sqlite+aiosqlite:///{workdir / 'bot.db'}")
    try:
        async with database.sessions() as session:
            cases = list(await session.scalars(select(Case)))
            owed = await session.scalar(select(func.count()).where(CaseOwed.done_at.is_(None)))
            failed = await session.scalar(
                select(func.count()).where(UpdateRecord.state != UpdateState.HANDLED)
            )
    finally:
        await database.dispose()
    if owed:
        verdict.missing.append(f"{owed} owed rows undelivered")
    if failed:
        verdict.missing.append(f"{failed} updates not handled")
    want = CaseStatus.NEW if verdict.action == "submit" else CaseStatus.ACCEPTED
    if len(cases) != 1 or cases[0].status != want or cases[0].number is None:
        verdict.missing.append(f"the case is {[(c.number, c.status) for c in cases]}")
        return
    number = cases[0].number
    cards = [m for m in _sent(emu, officer) if number in (m.text or "") and m.buttons]
    _count(verdict, "officer's card", len(cards))
    told = [m for m in _sent(emu, resident) if number in (m.text or m.caption or "")]
    if verdict.action == "submit":
        _count(verdict, "resident's confirmation", len(told))
    else:
        accepted = [m for m in told if "已受理" in (m.text or m.caption or "")]
        _count(verdict, "resident's news of acceptance", len(accepted))
        if not any("办理中" in (card.text or "") for card in cards):
            verdict.missing.append("no card shows the case accepted")


def _sent(emu: TelegramEmulator, user: TestUser) -> list[BotMessage]:
    return [BotMessage(record) for record in emu.chat(user.id).sent]


def _count(verdict: Verdict, what: str, count: int) -> None:
    if count == 0:
        verdict.missing.append(what)
    elif count > 1:
        verdict.repeated += [what] * (count - 1)
