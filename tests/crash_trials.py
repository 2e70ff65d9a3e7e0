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
import contextlib
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import func, select

from app.admin_cli import DEMO_FILE
from bot.people import staff
from bot.places.areas import import_file
from sandbox.emulator import BotMessage, TelegramEmulator, TestUser
from storage import migrate
from storage.db import Database
from storage.models import Case, CaseOwed, CaseStatus, Role, UpdateRecord, UpdateState
from tests.e2e.flows import fill_report
from tests.e2e.test_desk import IN_JN01_1
from tests.e2e.test_process import bot_env

OFFICER, RESIDENT = 8901, 8902

ACTIONS = {"submit": r"^v1rn:\d+:s:", "accept": r"^v1od:\d+:a:"}
START_TIMEOUT = 60  # a cold start on a busy 2-core machine
STOP_TIMEOUT = 60
KILLED = 137


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
    """What `python -m bot run` reads (its database in workdir/data), and the crash point."""
    return bot_env(
        emu,
        workdir,
        LOG_LEVEL="WARNING",
        CRASH_DATA=ACTIONS[action],
        CRASH_AT=str(at),
        CRASH_STEPS=str(workdir / "steps"),
        CRASH_TRACE=str(workdir / "trace"),
    )


def _database(workdir: Path) -> Database:
    """The trial's database, as `bot_env` places it."""
    return Database(f"sqlite+aiosqlite:///{workdir / 'data' / 'bot.db'}")


async def _prepare(workdir: Path) -> None:
    database = _database(workdir)
    try:
        await migrate.upgrade(database)
        await import_file(database, DEMO_FILE)
        await staff.appoint(database, OFFICER, Role.OFFICER, "JN01-1")
    finally:
        await database.dispose()


async def trial(workdir: Path, action: str, at: int) -> Verdict:
    """One crash trial at step `at` of `action`'s update."""
    await asyncio.to_thread((workdir / "data").mkdir, parents=True, exist_ok=True)
    await _prepare(workdir)
    verdict = Verdict(action, at)
    async with TelegramEmulator() as emu:
        resident, officer = emu.user(RESIDENT, "居民"), emu.user(OFFICER, "网格员")
        env = _env(emu, workdir, action, at)
        process = await _spawn(["tests.crash_points"], env, workdir / "stopped.log")
        try:
            # Its last call before polling (a long poll is recorded only when it returns).
            await emu.wait_for(lambda: emu.calls_of("deleteWebhook"), START_TIMEOUT)
            await _act(resident, officer, action)
            verdict.crashed = await _ended(process, workdir, action)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        steps = workdir / "steps"
        verdict.steps = int(steps.read_text()) if steps.exists() else 0
        await _restart(emu, workdir, action)
        await _judge(verdict, emu, workdir, resident, officer)
        if verdict.missing:  # what the processes said, for whoever reads the verdict
            for log in ("stopped.log", "restarted.log"):
                text = (workdir / log).read_text(errors="replace")
                verdict.missing.append(f"{log}: {text[-1500:]}")
    return verdict


async def _spawn(module: list[str], env: dict[str, str], log: Path) -> asyncio.subprocess.Process:
    """`python -m MODULE…`, its standard error into `log` (the child keeps the file open, this
    process does not)."""
    with log.open("wb") as errors:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            *module,
            env=env,
            stdout=asyncio.subprocess.DEVNULL,
            stderr=errors,
        )


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


async def _ended(process: asyncio.subprocess.Process, workdir: Path, action: str) -> bool:
    """Whether the process stopped at its crash point; one that outlives its update's work
    (the point lies beyond its last step) is stopped."""
    exited = asyncio.ensure_future(process.wait())
    settled = asyncio.ensure_future(_settled(workdir, action))
    await asyncio.wait([exited, settled], timeout=STOP_TIMEOUT, return_when="FIRST_COMPLETED")
    if not exited.done():
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(exited), 1.0)
    settled.cancel()
    if exited.done():
        return process.returncode == KILLED
    process.send_signal(signal.SIGTERM)
    await asyncio.wait_for(exited, STOP_TIMEOUT)
    return False


async def _settled(workdir: Path, action: str) -> None:
    """Wait until the case is where the action takes it, every update is handled and nothing is
    owed (or STOP_TIMEOUT passed: the judge says what is missing)."""
    want = CaseStatus.NEW if action == "submit" else CaseStatus.ACCEPTED
    database = _database(workdir)
    try:
        for _ in range(STOP_TIMEOUT * 10):
            async with database.sessions() as session:
                owed = await session.scalar(select(func.count()).where(CaseOwed.done_at.is_(None)))
                unhandled = await session.scalar(
                    select(func.count()).where(UpdateRecord.state != UpdateState.HANDLED)
                )
                there = await session.scalar(select(func.count()).where(Case.status == want))
            if there and not owed and not unhandled:
                return
            await asyncio.sleep(0.1)
    finally:
        await database.dispose()


async def _restart(emu: TelegramEmulator, workdir: Path, action: str) -> None:
    """`python -m bot run` again: it handles what its predecessor was handling and sends what
    it owed, then is stopped."""
    env = _env(emu, workdir, action, 0)
    process = await _spawn(["bot", "run"], env, workdir / "restarted.log")
    try:
        await _settled(workdir, action)
    finally:
        process.send_signal(signal.SIGTERM)
        await asyncio.wait_for(process.wait(), STOP_TIMEOUT)


async def _judge(
    verdict: Verdict, emu: TelegramEmulator, workdir: Path, resident: TestUser, officer: TestUser
) -> None:
    database = _database(workdir)
    try:
        async with database.sessions() as session:
            cases = list(await session.scalars(select(Case)))
            owed = await session.scalar(select(func.count()).where(CaseOwed.done_at.is_(None)))
            unhandled = list(
                await session.execute(
                    select(UpdateRecord.update_id, UpdateRecord.state, UpdateRecord.error).where(
                        UpdateRecord.state != UpdateState.HANDLED
                    )
                )
            )
    finally:
        await database.dispose()
    if owed:
        verdict.missing.append(f"{owed} owed rows undelivered")
    for update_id, state, error in unhandled:
        verdict.missing.append(f"update {update_id} {state}: {(error or '')[-300:]}")
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
        accepted = [m for m in told if "正在办理" in (m.text or m.caption or "")]
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
