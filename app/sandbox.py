"""`python -m bot sandbox`: the real bot against the built-in emulator, in a browser page.

The composition of three things that do not know each other: the Bot API emulator and its page
(`sandbox/`), and the bot as `run` builds and polls it (`create_app`, `run_polling`), on a fresh
SQLite database with the demo street, demo staff and a month of demo cases. Nothing leaves the
machine: the bot's API server is the emulator, everything listens on 127.0.0.1.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import shutil
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import Any

from sqlalchemy import select

from app.admin_cli import DEMO_FILE, DEMO_LEAD_IDS, DEMO_OFFICER_IDS, DemoStreet, load_demo
from app.clock import move_time
from app.runner import run_polling
from app.shutdown import wait_for_signal
from app.wiring import App, create_app
from bot.categories import departments
from bot.config import ConfigError, Settings, load_settings
from bot.people import staff
from sandbox.emulator import TelegramEmulator
from sandbox.page import Page, Phone, address, serve
from storage.models import Category, Person, Role
from storage.types import reset_clock, utcnow

log = logging.getLogger(__name__)

PHONE_TEXTS = json.loads(DEMO_FILE.with_name("phones.json").read_text("utf-8"))
DEMO_TOKEN = "100000001:sandbox-made-up-token-nobody-has"  # noqa: S105  (not a secret)
RESIDENT_ZH, RESIDENT_EN, ADMIN, GROUP_MEMBER = 40_000_001, 40_000_002, 40_000_003, 40_000_004
GROUP_CHAT = -100_400_000_001
DEPARTMENT_OF = "dog"  # the group gets the cases of this category's department
MORNING = time(8, 30)
MONTHLY = (1, time(9, 0))
MOVES = ("hour", "morning", "first", "days2")
POLL_TIMEOUT_S = 10
READY_WITHIN_S = 60


class TokenInEnvironment(ConfigError):
    """A real BOT_TOKEN is configured and no --token says which to use."""


def token_to_use(chosen: str | None) -> str:
    """The token the bot and the emulator share: --token's ("demo": a made-up one), else the
    made-up one unless BOT_TOKEN is configured, which must then be chosen explicitly."""
    if chosen == "demo":
        return DEMO_TOKEN
    if chosen:
        return chosen
    configured = _configured_token()
    if configured:
        raise TokenInEnvironment(
            "BOT_TOKEN is set (environment or .env). The sandbox never contacts Telegram, but "
            "say which token it should use: --token demo (a made-up one) or --token TOKEN."
        )
    return DEMO_TOKEN


def _configured_token() -> str | None:
    from bot.config import DatabaseSettings

    class _Token(DatabaseSettings):
        bot_token: str | None = None

    return load_settings(_Token).bot_token or None


@dataclass
class Sandbox:
    """The emulator and the bot polling it, on a fresh demo database; implements the page's
    Host."""

    data_dir: Path
    token: str = DEMO_TOKEN
    cases: int = 60
    emulator: TelegramEmulator = field(init=False)
    app: App = field(init=False)
    phones: list[Phone] = field(init=False, default_factory=list)
    street: dict[str, Any] = field(init=False)
    moves: tuple[str, ...] = MOVES
    _polling: asyncio.Task[None] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        self.street = json.loads(DEMO_FILE.read_text("utf-8"))

    @property
    def timezone(self) -> str:
        return str(self.app.settings.tz)

    def now(self) -> datetime:
        return utcnow().astimezone(self.app.settings.tz)

    async def start(self) -> None:
        """The emulator, a fresh database with the demo, then the bot polling as `run` does."""
        reset_clock()
        self.emulator = await TelegramEmulator(
            self.token, clock=lambda: utcnow().timestamp()
        ).start()
        self._wipe()
        self.app = await create_app(self._settings())
        demo = await load_demo(self.app.database, self.cases, self.app.settings.tz)
        self.phones = await self._phones(demo)
        await self._open_chats()
        self._polling = asyncio.create_task(
            run_polling(self.app, handle_signals=False, polling_timeout=POLL_TIMEOUT_S)
        )
        await self._first_poll()

    async def _first_poll(self) -> None:
        """Ready once the bot asks for updates (a long poll: the emulator says nothing until it
        ends, so look)."""
        async with asyncio.timeout(READY_WITHIN_S):
            while not self.emulator.calls_of("getUpdates"):
                if self._polling is not None and self._polling.done():
                    self._polling.result()  # polling failed: say why
                    raise RuntimeError("the bot stopped polling before its first poll")
                await asyncio.sleep(0.02)

    async def stop(self) -> None:
        if self._polling is not None:
            with contextlib.suppress(RuntimeError):  # polling had not started
                await self.app.dispatcher.stop_polling()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._polling, POLL_TIMEOUT_S)
            self._polling = None
            await self.app.close()
            await self.emulator.stop()
        reset_clock()

    async def reset(self) -> None:
        """Start over from the demo state."""
        await self.stop()
        await self.start()

    async def move(self, key: str) -> None:
        """Move the clock forward (see MOVES) and run what fell due meanwhile."""
        await move_time(self.app.scheduler, _move_by(key, self.now(), self.app.settings.tz))

    # --- parts ---------------------------------------------------------------------------

    def _settings(self) -> Settings:
        # Given here, so nothing in the environment (a DATABASE_URL, REDIS_URL, a webhook)
        # points the sandbox at anything real.
        return load_settings(
            Settings,
            bot_token=self.token,
            telegram_api_url=self.emulator.url,
            database_url=f"sqlite+aiosqlite:///{self.data_dir / 'bot.db'}",
            media_dir=self.data_dir / "media",
            export_dir=self.data_dir / "exports",
            redis_url=None,
            webhook_url=None,
            admin_ids=frozenset(),
            log_level="WARNING",
        )

    def _wipe(self) -> None:
        """The sandbox's own files from last time (and nothing else)."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        for name in ("bot.db", "bot.db-wal", "bot.db-shm", "bot.db-journal"):
            (self.data_dir / name).unlink(missing_ok=True)
        for folder in ("media", "exports"):
            shutil.rmtree(self.data_dir / folder, ignore_errors=True)

    async def _phones(self, demo: DemoStreet) -> list[Phone]:
        database = self.app.database
        admin = await staff.appoint(database, ADMIN, Role.ADMIN)
        async with database.sessions() as session:
            category = await session.scalar(select(Category).where(Category.code == DEPARTMENT_OF))
        department = (category.department if category else None) or (
            await departments.departments(database)
        )[0]
        texts = PHONE_TEXTS
        await departments.bind(
            database, department, GROUP_CHAT, texts["group"]["group"], admin.person.id
        )

        def phone(key: str, user_id: int, language: str, **values: str) -> Phone:
            user = {"id": user_id, "first_name": texts[key]["name"], "language_code": language}
            group = {"id": GROUP_CHAT, "title": texts[key]["group"]} if key == "group" else None
            return Phone(key, texts[key]["title"].format(**values), user, group)

        return [
            phone("resident_zh", RESIDENT_ZH, "zh-hans"),
            phone("resident_en", RESIDENT_EN, "en"),
            phone("officer", DEMO_OFFICER_IDS + 1, "zh-hans", area=demo.grids[0]),
            phone("lead", DEMO_LEAD_IDS + 1, "zh-hans", area=demo.communities[0]),
            phone("admin", ADMIN, "zh-hans"),
            phone("group", GROUP_MEMBER, "zh-hans", department=department),
        ]

    async def _open_chats(self) -> None:
        """Every phone's chat, and a chat for each demo person (demo staff get cards, demo
        residents news), as Telegram has one for whoever started the bot."""
        for phone in self.phones:
            if phone.group:
                self.emulator.group(phone.chat_id, phone.group["title"])
            else:
                self.emulator.user(phone.chat_id, phone.user["first_name"])
        async with self.app.database.sessions() as session:
            people = (await session.execute(select(Person.tg_id, Person.name))).all()
        for tg_id, name in people:
            self.emulator.ensure_chat({"id": tg_id, "type": "private", "first_name": name or "-"})


def _move_by(key: str, now: datetime, tz: tzinfo) -> timedelta:
    """How far each of the page's moves goes from `now` (local time)."""
    if key == "hour":
        return timedelta(hours=1)
    if key == "days2":
        return timedelta(days=2)
    if key == "morning":
        target = datetime.combine(now.date(), MORNING, tz)
        if target <= now:
            target = datetime.combine(now.date() + timedelta(days=1), MORNING, tz)
        return target - now
    if key == "first":
        day, at = MONTHLY
        first = now.date().replace(day=day)
        target = datetime.combine(first, at, tz)
        if target <= now:
            following = (first + timedelta(days=32)).replace(day=day)
            target = datetime.combine(following, at, tz)
        return target - now
    raise ValueError(f"no move {key!r}")


async def run_sandbox(data_dir: Path, port: int, token: str, cases: int) -> None:
    """Start it all, print the page's address, and stop it all on Ctrl-C (or SIGTERM)."""
    sandbox = Sandbox(data_dir, token, cases)
    await sandbox.start()
    page = Page(sandbox)
    page.attach()
    runner = await serve(page, port)
    print(f"sandbox ready: open {address(runner)} (Ctrl-C stops it)", flush=True)
    try:
        await wait_for_signal()
    finally:
        page.close()
        await runner.cleanup()
        await sandbox.stop()
