"""The sender in real processes: killed with SIGKILL mid-broadcast and restarted, it resumes
without skipping anyone; of two instances on one PostgreSQL database one sends, each delivery
once."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path

import aiohttp
import pytest
from prometheus_client.parser import text_string_to_metric_families

from bot.notices import outbox
from sandbox.emulator import Limits, TelegramEmulator
from storage import migrate
from storage.db import Database
from storage.models import Person
from tests.conftest import reset_postgres
from tests.e2e.test_broadcast import sent_to
from tests.e2e.test_process import START_TIMEOUT, bot_env, bot_process

pytestmark = pytest.mark.slow


async def queue_notice(url: str, emu: TelegramEmulator, count: int) -> int:
    """A notice to `count` new people in a (migrated) database."""
    database = Database(url)
    try:
        await migrate.upgrade(database)
        async with database.transaction() as session:
            people = [Person(tg_id=80_000 + n, name=f"居民{n}") for n in range(count)]
            session.add_all(people)
            await session.flush()
        for person in people:
            emu.user(person.tg_id, person.name)
        notice = await outbox.create_notice(database, None, "消防安全宣传日", people, False)
        return notice.id
    finally:
        await database.dispose()


async def progress_of(url: str, notice_id: int) -> outbox.Progress:
    database = Database(url)
    try:
        return await outbox.progress(database, notice_id)
    finally:
        await database.dispose()


async def test_killed_mid_broadcast_it_resumes_without_skipping(tmp_path: Path) -> None:
    count = 150
    async with TelegramEmulator(limits=Limits()) as emu:  # ~25/s: the kill lands mid-way
        env = bot_env(emu, tmp_path, OUTBOX_CLAIM_SECONDS="2")
        (tmp_path / "data").mkdir()
        url = f"sqlite+aiosqlite:///{tmp_path / 'data' / 'bot.db'}"
        notice_id = await queue_notice(url, emu, count)
        async with bot_process(env, tmp_path) as process:
            await emu.wait_for(lambda: len(sent_to(emu)) >= 40, START_TIMEOUT)
            process.kill()  # SIGKILL: no shutdown, claims left behind
            await process.wait()
        at_kill = sum(sent_to(emu).values())
        assert at_kill < count  # it really died mid-way
        async with bot_process(env, tmp_path):
            await emu.wait_for(lambda: len(sent_to(emu)) == count, START_TIMEOUT + 30)
            for _ in range(50):
                if (await progress_of(url, notice_id)).remaining == 0:
                    break
                await asyncio.sleep(0.2)
        counts = sent_to(emu)
        assert len(counts) == count  # nobody skipped
        # At most the messages in flight repeated: at ~25/s, the one being sent and the one
        # whose mark was being written.
        assert sum(counts.values()) - count <= 2
        progress = await progress_of(url, notice_id)
        assert (progress.sent, progress.remaining) == (count, 0)


@pytest.mark.postgres
async def test_two_instances_on_postgres_send_a_notice_once_through_one_sender(
    tmp_path: Path, unused_tcp_port_factory: Callable[[], int]
) -> None:
    count = 150
    url = await reset_postgres()
    ports = []
    # limits off, every answer 20 ms late
    async with TelegramEmulator(slow_rate=1.0, slow_s=0.02) as emu:
        database = Database(url)
        await migrate.upgrade(database)  # before the instances start, as a deploy step would
        await database.dispose()
        envs = []
        for name in ("a", "b"):
            port = unused_tcp_port_factory()
            ports.append(port)
            (tmp_path / name).mkdir()
            envs.append(
                bot_env(
                    emu,
                    tmp_path / name,
                    DATABASE_URL=url,
                    WEBHOOK_URL=f"http://127.0.0.1:{port}/telegram",
                    WEBHOOK_SECRET="s3cret-token",
                    WEBHOOK_PORT=str(port),
                )
            )
        async with (
            bot_process(envs[0], tmp_path / "a", "--webhook"),
            bot_process(envs[1], tmp_path / "b", "--webhook"),
        ):
            await emu.wait_for(lambda: len(emu.calls_of("setWebhook")) == 2, START_TIMEOUT)
            notice_id = await queue_notice(url, emu, count)  # both instances are running
            await emu.wait_for(lambda: len(sent_to(emu)) == count, START_TIMEOUT + 30)
            for _ in range(50):
                if (await progress_of(url, notice_id)).remaining == 0:
                    break
                await asyncio.sleep(0.2)
            # Telegram's 30/s are the bot's: one instance (the sender lock's holder) sent all
            sent_by = sorted([await sent_by_instance(port) for port in ports])
        assert sent_by == [0, count]
        counts = sent_to(emu)
        assert len(counts) == count
        assert set(counts.values()) == {1}
        assert (await progress_of(url, notice_id)).sent == count


async def sent_by_instance(port: int) -> int:
    """Deliveries this instance sent, from its own /metrics."""
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"http://127.0.0.1:{port}/metrics") as response,
    ):
        text = await response.text()
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == "minqing_deliveries_total" and sample.labels["state"] == "sent":
                return int(sample.value)
    return 0
