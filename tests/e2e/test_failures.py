"""Bad days: Telegram answering 429 or 500, people who blocked the bot, a locked database,
and updates whose handling fails, which are kept, apologised for once and replayed."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from redis.asyncio import Redis
from sqlalchemy import select

import storage.db
from app.runner import replay_failed
from app.wiring import App
from bot.config import Settings
from handlers.common.middlewares import journal as journal_middleware
from sandbox.emulator import Limits, TelegramEmulator
from storage import migrate
from storage import updates as journal
from storage.db import Database
from storage.models import Person, UpdateState
from storage.updates import Claim
from tests.conftest import REDIS_URL, StartBot
from tests.helpers import TELEGRAM_500_LOGGED, TcpGate, eventually, sqlite_locked


async def _reachable(app: App, tg_id: int) -> bool:
    async with app.database.sessions() as session:
        person = await session.scalar(select(Person).where(Person.tg_id == tg_id))
    assert person is not None
    return person.reachable


async def _unreachable(app: App, tg_id: int) -> bool:
    return not await _reachable(app, tg_id)


async def _handled(app: App, update_id: int) -> bool:
    record = await journal.get_record(app.database, app.bot.id, update_id)
    return record is not None and record.state == UpdateState.HANDLED


@TELEGRAM_500_LOGGED
async def test_a_failed_update_is_kept_apologised_for_and_replayed(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    bot_app.retry.backoff_s = 0.01
    user = emulator.user(2001, "周")
    emulator.fail_next("sendMessage", status=500, count=bot_app.retry.attempts)
    update = await user.send("/start")
    update_id = user.last_update_id
    apology = await user.next_message()
    assert apology.text is not None
    assert apology.text.startswith("抱歉，处理您的消息时出了点问题。您的消息已经保存")
    record = await journal.get_record(bot_app.database, bot_app.bot.id, update_id)
    assert record is not None
    assert record.state == UpdateState.FAILED
    assert "TelegramServerError" in (record.error or "")
    assert record.payload is not None
    assert record.payload["message"]["text"] == update["text"]

    handled, failing = await replay_failed(bot_app)
    assert (handled, failing) == (1, 0)
    greeting = await user.next_message()
    assert "您好，周" in (greeting.text or "")
    await user.expect_silence()  # no second apology, no second greeting


@TELEGRAM_500_LOGGED
async def test_the_apology_is_sent_once_however_often_it_fails(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    bot_app.retry.backoff_s = 0.01
    user = emulator.user(2002, "吴")
    emulator.fail_next("sendMessage", status=500, count=bot_app.retry.attempts)
    await user.send("/help")
    assert "抱歉" in ((await user.next_message()).text or "")
    emulator.fail_next("sendMessage", status=500, count=10 * bot_app.retry.attempts)
    assert await replay_failed(bot_app) == (0, 1)
    emulator.faults.clear()
    await user.expect_silence()
    records = await journal.failed_updates(bot_app.database, bot_app.bot.id)
    assert [r.attempts for r in records] == [2]


async def test_429_is_waited_out_and_nothing_is_lost(
    make_settings: Callable[..., Settings],
    checked_bot: StartBot,
) -> None:
    async with TelegramEmulator(limits=Limits(chat_per_s=1)) as emu:
        settings = make_settings(telegram_api_url=emu.url)
        async with checked_bot(settings, emu=emu) as app:
            user = emu.user(2003, "郑")
            for _ in range(3):
                await user.send("/help")
            replies = await user.next_messages(3, timeout=10)
            assert all("/language" in (r.text or "") for r in replies)
            assert emu.retry_after_sent >= 1
            assert app.retry.retry_after_count == emu.retry_after_sent


async def test_a_long_429_storm_delays_a_reply_but_never_fails_it(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    """More 429s in a row than the retries of errors (5): a 429 is Telegram saying when, not a
    failure, so the reply waits its turn and arrives, and nothing is kept as failed."""
    user = emulator.user(2007, "褚")
    emulator.fail_next("sendMessage", status=429, count=6, retry_after=1)
    assert "您好" in ((await user.ask("/start", timeout=30)).text or "")
    assert emulator.retry_after_sent == 6
    assert await journal.failed_updates(bot_app.database, bot_app.bot.id) == []


async def test_500s_are_retried(emulator: TelegramEmulator, bot_app: App) -> None:
    bot_app.retry.backoff_s = 0.01
    user = emulator.user(2004, "王")
    emulator.fail_next("sendMessage", status=502, count=2)
    assert "您好" in ((await user.ask("/start")).text or "")
    assert [c.status for c in emulator.calls_of("sendMessage")] == [502, 502, 200]


async def test_blocking_and_unblocking_the_bot(emulator: TelegramEmulator, bot_app: App) -> None:
    user = emulator.user(2005, "冯")
    await user.ask("/start")
    await user.block()
    assert await eventually(lambda: _unreachable(bot_app, 2005))
    await user.unblock()
    assert await eventually(lambda: _reachable(bot_app, 2005))


async def test_a_403_marks_the_person_unreachable_without_keeping_a_failure(
    emulator: TelegramEmulator, bot_app: App
) -> None:
    user = emulator.user(2006, "陈")
    await user.ask("/start")
    emulator.blocked.add(2006)  # blocked without Telegram telling the bot in advance
    await user.send("/help")
    assert await eventually(lambda: _unreachable(bot_app, 2006))
    assert await journal.failed_updates(bot_app.database, bot_app.bot.id) == []


async def test_a_briefly_locked_database_delays_but_loses_nothing(
    emulator: TelegramEmulator, bot_app: App, tmp_path: Path
) -> None:
    user = emulator.user(2007, "褚")
    with sqlite_locked(tmp_path / "bot.db", seconds=1.5) as released:
        reply = await user.ask("/start", timeout=10)
        assert released.is_set()
    assert "您好" in (reply.text or "")
    assert await journal.failed_updates(bot_app.database, bot_app.bot.id) == []


async def test_a_database_locked_past_its_busy_timeout_loses_nothing(
    emulator: TelegramEmulator,
    make_settings: Callable[..., Settings],
    checked_bot: StartBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Another process holds SQLite's write lock longer than the busy timeout while three
    people write: the journal's claim waits for the database instead of losing the updates."""
    monkeypatch.setattr(storage.db, "SQLITE_BUSY_TIMEOUT_S", 1)
    async with checked_bot(make_settings()) as app:
        await emulator.user(2109, "先").ask("/start", timeout=15)  # the bot is up
        assert await eventually(lambda: _handled(app, 1), within=10)
        people = [emulator.user(2110 + n, f"锁{n}") for n in range(3)]
        with sqlite_locked(tmp_path / "bot.db", seconds=4) as released:
            for person in people:
                await person.send("/start")
            replies = [await person.next_message(timeout=30) for person in people]
            assert released.is_set()
        assert all("您好" in (reply.text or "") for reply in replies)
        assert await journal.failed_updates(app.database, app.bot.id) == []


async def test_a_long_wait_for_the_database_is_apologised_for_once(
    emulator: TelegramEmulator,
    make_settings: Callable[..., Settings],
    checked_bot: StartBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Past APOLOGY_AFTER_S (60 s; 1 s here) of waiting for a locked database, the person is
    told once that their message will be handled; then it is."""
    monkeypatch.setattr(storage.db, "SQLITE_BUSY_TIMEOUT_S", 1)
    monkeypatch.setattr(journal_middleware, "APOLOGY_AFTER_S", 1.0)
    async with checked_bot(make_settings()) as app:
        await emulator.user(2121, "先").ask("/start", timeout=15)  # the bot is up
        assert await eventually(lambda: _handled(app, 1), within=10)
        person = emulator.user(2122, "等")
        with sqlite_locked(tmp_path / "bot.db", seconds=6) as released:
            await person.send("/start")
            busy = await person.next_message(timeout=30)
            assert not released.is_set()  # told while still waiting
        assert busy.text == "系统正忙：您的消息已收到，稍后就会处理。"
        reply = await person.next_message(timeout=30)
        assert "您好" in (reply.text or "")
        await person.expect_silence(0.5)  # told once
        assert await journal.failed_updates(app.database, app.bot.id) == []


@TELEGRAM_500_LOGGED
async def test_admins_see_failed_updates(emulator: TelegramEmulator, bot_app: App) -> None:
    bot_app.retry.backoff_s = 0.01
    user = emulator.user(2008, "卫")
    admin = emulator.user(900001, "管理员")
    assert (await admin.ask("/failed")).text == "没有处理失败的消息。"
    emulator.fail_next("sendMessage", status=500, count=bot_app.retry.attempts)
    await user.send("/help")
    failed_id = user.last_update_id
    await user.next_message()  # the apology
    listing = await admin.ask("/failed")
    assert listing.text is not None
    assert "处理失败的消息（1 条）" in listing.text
    assert f"#{failed_id} · 尝试 1 次" in listing.text
    assert "TelegramServerError" in listing.text


@contextlib.asynccontextmanager
async def _bot_behind_a_redis_gate(
    make_settings: Callable[..., Settings],
    checked_bot: StartBot,
) -> AsyncIterator[tuple[TcpGate, App]]:
    """The bot on the real Redis, through a gate the test can shut (a hung Redis)."""
    redis = urlsplit(REDIS_URL)
    async with TcpGate(redis.hostname or "127.0.0.1", redis.port or 6379) as gate:
        settings = make_settings(redis_url=f"redis://{gate.address}{redis.path}")
        async with checked_bot(settings) as app:
            yield gate, app


@pytest.mark.redis
@pytest.mark.expect_traceback(
    match=r"^handlers\.errors: update \d+ failed .*\[TimeoutError\]$",
    reason="the update the hung Redis cannot serve fails, logged with its traceback",
)
async def test_an_update_redis_cannot_serve_is_kept_and_replayed(
    emulator: TelegramEmulator, make_settings: Callable[..., Settings], checked_bot: StartBot
) -> None:
    """Redis hangs: the conversation's lock cannot be taken. The resident hears an apology at
    once and the update is kept (the journal runs before the lock), to be handled once Redis is
    back."""
    async with _bot_behind_a_redis_gate(make_settings, checked_bot) as (gate, app):
        user = emulator.user(2009, "蒋")
        assert "您好，蒋" in ((await user.ask("/start")).text or "")
        # Wait for its lock's release and the menu: they talk to Redis after the greeting.
        assert await eventually(lambda: _handled(app, user.last_update_id))
        gate.open = False
        await user.send("/help")
        apology = await user.next_message(timeout=10)
        assert (apology.text or "").startswith("抱歉，处理您的消息时出了点问题")
        record = await journal.get_record(app.database, app.bot.id, user.last_update_id)
        assert record is not None
        assert record.state == UpdateState.FAILED
        assert "Timeout" in (record.error or "")

        gate.open = True
        assert await replay_failed(app) == (1, 0)
        assert "/report" in ((await user.next_message()).text or "")


@pytest.mark.redis
async def test_an_update_answered_before_redis_hung_stays_handled(
    emulator: TelegramEmulator, make_settings: Callable[..., Settings], checked_bot: StartBot
) -> None:
    """Redis hangs after the answer went out, as the conversation's lock is released: the update
    was handled, so it is neither apologised for nor kept for a replay (that would answer twice)."""
    try:
        async with _bot_behind_a_redis_gate(make_settings, checked_bot) as (gate, app):
            user = emulator.user(2010, "沈")
            await user.send("/help")
            # Shut as the emulator takes the answer, before the bot reads the reply to it.
            await emulator.wait_for(lambda: emulator.calls_of("sendMessage"), 5)
            gate.open = False
            assert "/report" in ((await user.next_message()).text or "")

            assert await eventually(lambda: _handled(app, user.last_update_id))
            await user.expect_silence(within=2)  # past the 1 s timeout: no apology
            assert await journal.failed_updates(app.database, app.bot.id) == []
    finally:
        # The lock it could not release would hold the person's next update for a minute (its
        # expiry): drop it, for the next run of this test.
        async with Redis.from_url(REDIS_URL) as client:
            async for key in client.scan_iter(match="fsm:*2010:2010:*"):
                await client.delete(key)


async def test_an_update_a_stopped_run_was_handling_is_taken_at_once_on_restart(
    emulator: TelegramEmulator,
    make_settings: Callable[..., Settings],
    checked_bot: StartBot,
    sqlite_url: str,
) -> None:
    """The process was killed while handling an update it had not yet confirmed to Telegram, so
    Telegram delivers it again. On SQLite one process owns the database: at start every open claim
    is the stopped run's, so the redelivery is handled now, not after the claim goes stale."""
    user = emulator.user(2011, "韩")
    message = await user.send("/help")  # waits in the emulator: no bot is polling yet
    database = Database(sqlite_url)
    await migrate.upgrade(database)
    bot_id = int(emulator.token.split(":")[0])
    update = {"update_id": user.last_update_id, "message": message}
    assert await journal.claim(database, bot_id, user.last_update_id, update) is Claim.TAKEN
    await database.dispose()

    async with checked_bot(make_settings()) as app:
        assert "/report" in ((await user.next_message()).text or "")

        assert await eventually(lambda: _handled(app, user.last_update_id))
        await user.expect_silence()
