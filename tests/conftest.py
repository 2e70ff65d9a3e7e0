"""Shared fixtures: the emulator, databases (SQLite and the real PostgreSQL), a running bot."""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import pytest
from sqlalchemy import select

from app.runner import run_polling, start_webhook, stop_webhook
from app.wiring import App, create_app
from bot.config import Settings
from sandbox.emulator import TelegramEmulator
from storage import migrate
from storage.db import Database
from storage.models import Person, Role
from storage.types import move_clock, reset_clock, utcnow
from tests import invariants

POSTGRES_ADMIN_URL = os.environ.get(
    "TEST_POSTGRES_DSN", "postgresql://postgres@127.0.0.1:5432/test"
)
# One database per test process, so two test runs on one machine never collide.
POSTGRES_DB = f"minqing_bot_test_{os.getpid()}"
REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def pytest_collection_finish(session: pytest.Session) -> None:
    if not session.items:  # a run that collects nothing must not pass silently
        raise pytest.UsageError("no tests collected")


@pytest.fixture
async def emulator() -> AsyncIterator[TelegramEmulator]:
    # Messages are dated by the code's clock, as in the sandbox: a test that moves it sees
    # Telegram's dates (a live location's edit_date) move with it.
    async with TelegramEmulator(clock=lambda: utcnow().timestamp()) as emu:
        yield emu


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"


async def reset_postgres() -> str:
    """A clean database on the real server; fails (never skips) when the server is missing."""
    admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
    try:
        await admin.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)")
        await admin.execute(f"CREATE DATABASE {POSTGRES_DB}")
    finally:
        await admin.close()
    base = POSTGRES_ADMIN_URL.rsplit("/", 1)[0].replace("postgresql://", "postgresql+asyncpg://")
    return f"{base}/{POSTGRES_DB}"


@pytest.fixture(scope="session", autouse=True)
def drop_test_database() -> Iterator[None]:
    """Leave no per-run database behind."""
    yield

    async def drop() -> None:
        try:
            admin = await asyncpg.connect(POSTGRES_ADMIN_URL)
        except OSError:
            return
        try:
            await admin.execute(f"DROP DATABASE IF EXISTS {POSTGRES_DB} WITH (FORCE)")
        finally:
            await admin.close()

    asyncio.run(drop())


@pytest.fixture
async def postgres_url() -> str:
    return await reset_postgres()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
    return await reset_postgres()


@pytest.fixture
async def database(database_url: str) -> AsyncIterator[Database]:
    """A migrated database on SQLite and on PostgreSQL, built as the command line builds it."""
    db = Database(database_url, one_trip_cursor=True)
    await migrate.upgrade(db)
    yield db
    await db.dispose()


@pytest.fixture
def make_settings(
    emulator: TelegramEmulator, sqlite_url: str, tmp_path: Path
) -> Callable[..., Settings]:
    def build(**overrides: Any) -> Settings:
        values: dict[str, Any] = {
            "bot_token": emulator.token,
            "telegram_api_url": emulator.url,
            "database_url": sqlite_url,
            "media_dir": tmp_path / "media",
            "admin_ids": frozenset({900001}),
            "_env_file": None,
        }
        values.update(overrides)
        return Settings(**values)

    return build


@contextlib.asynccontextmanager
async def running_bot(settings: Settings) -> AsyncIterator[App]:
    """The real bot, polling the emulator in this event loop."""
    app = await create_app(settings)
    task = asyncio.create_task(run_polling(app, handle_signals=False, polling_timeout=1))
    try:
        yield app
    finally:
        with contextlib.suppress(RuntimeError):
            await app.dispatcher.stop_polling()
        await asyncio.wait_for(task, 10)
        await app.close()


@contextlib.asynccontextmanager
async def webhook_bot(settings: Settings) -> AsyncIterator[App]:
    """The real bot, served by webhook (the settings name its address) in this event loop."""
    app = await create_app(settings)
    runner = await start_webhook(app)
    try:
        yield app
    finally:
        await stop_webhook(app, runner)
        await app.close()


StartBot = Callable[..., contextlib.AbstractAsyncContextManager[App]]


@pytest.fixture
def checked_bot(
    emulator: TelegramEmulator, caplog: pytest.LogCaptureFixture, request: pytest.FixtureRequest
) -> StartBot:
    """`checked_bot(settings)`: `running_bot`, with the promises of tests/invariants.py checked
    when its block ends, as `bot_app` checks them. `emu=` names the emulator the bot talks to when
    it is not the `emulator` fixture; `start=` another way to run the bot (a webhook)."""

    @contextlib.asynccontextmanager
    async def start(
        settings: Settings,
        *,
        emu: TelegramEmulator | None = None,
        start: Callable[[Settings], contextlib.AbstractAsyncContextManager[App]] = running_bot,
    ) -> AsyncIterator[App]:
        async with start(settings) as app:
            yield app
            await _check_invariants(app, emu or emulator, caplog, request)

    return start


@pytest.fixture
async def bot_app(
    make_settings: Callable[..., Settings], checked_bot: StartBot
) -> AsyncIterator[App]:
    """The real bot on the emulator; after the test, the promises of tests/invariants.py."""
    async with checked_bot(make_settings()) as app:
        yield app


async def _check_invariants(
    app: App,
    emulator: TelegramEmulator,
    caplog: pytest.LogCaptureFixture,
    request: pytest.FixtureRequest,
) -> None:
    with contextlib.suppress(TimeoutError):  # presses still being handled get their time
        await emulator.wait_for(lambda: not invariants.unanswered_buttons(emulator), 10)
    async with app.database.sessions() as session:
        staff = set(await session.scalars(select(Person.tg_id).where(Person.role != Role.RESIDENT)))
    broken = [
        *(f"button {query} never answered" for query in invariants.unanswered_buttons(emulator)),
        *(f"leaked {leak}" for leak in invariants.leaked_numbers(emulator, staff)),
        *invariants.raw_texts(emulator, app.catalogue),
    ]
    logged = [*caplog.get_records("setup"), *caplog.get_records("call"), *caplog.records]
    broken += [
        f"traceback in the log: {t}"
        for t in invariants.tracebacks(logged)
        if not _expected_traceback(request, t)
    ]
    assert not broken, "invariants broken:\n" + "\n".join(broken)


def _expected_traceback(request: pytest.FixtureRequest, traceback: str) -> bool:
    """Whether the test's `expect_traceback` marker excuses this traceback: one with `match=`
    excuses those whose logger and message match it (a regular expression), one without excuses
    every traceback."""
    for mark in request.node.iter_markers("expect_traceback"):
        match = mark.kwargs.get("match")
        if match is None or re.search(match, traceback):
            return True
    return False


@pytest.fixture
def clock() -> Iterator[Callable[[timedelta], datetime]]:
    """Moves the clock the code reads (storage.types.utcnow) forward; back to the wall clock
    after the test."""
    yield move_clock
    reset_clock()
