"""Broadcasts through the emulator with Telegram's limits on: everyone once, no 429 at the
default rate, blocked people marked, and a sender killed mid-way resumes without skipping."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable

from sqlalchemy import select

from bot import outbox
from bot.config import Settings
from bot.sender import Sender
from handlers.notices.keyboards import ack_button
from storage.models import Delivery, DeliveryState, Person
from tests.conftest import running_bot
from tests.emulator import Limits, TelegramEmulator

AUDIENCE = 120


async def audience(app_database: object, emu: TelegramEmulator, count: int) -> list[Person]:
    people = []
    async with app_database.transaction() as session:  # type: ignore[attr-defined]
        for number in range(count):
            user = emu.user(50_000 + number, f"居民{number}")
            person = Person(tg_id=user.id, name=f"居民{number}")
            session.add(person)
            people.append(person)
        await session.flush()
    return people


def sent_to(emu: TelegramEmulator) -> Counter[int]:
    return Counter(
        int(call.params["chat_id"]) for call in emu.calls_of("sendMessage") if call.status == 200
    )


async def test_a_notice_reaches_everyone_once_within_the_limits(
    make_settings: Callable[..., Settings],
) -> None:
    async with (
        TelegramEmulator(limits=Limits()) as emu,
        running_bot(make_settings(telegram_api_url=emu.url)) as app,
    ):
        await app.sending.started.wait()
        await app.sending.stop()  # this test drives the sender itself
        people = await audience(app.database, emu, AUDIENCE)
        emu.blocked.update({50_003, 50_007})
        notice = await outbox.create_notice(
            app.database, None, "周六 9:00 犬只免疫登记", people, False
        )
        sender = Sender(app.bot, app.database, app.catalogue, ack_button)
        while await sender.run_once():
            pass
        progress = await outbox.progress(app.database, notice.id)
        assert (progress.sent, progress.blocked, progress.failed) == (AUDIENCE - 2, 2, 0)
        counts = sent_to(emu)
        assert len(counts) == AUDIENCE - 2
        assert set(counts.values()) == {1}
        assert emu.retry_after_sent == 0  # the throttle kept within Telegram's limits
        async with app.database.sessions() as session:
            blocked = (
                await session.scalars(select(Person).where(Person.reachable.is_(False)))
            ).all()
        assert {p.tg_id for p in blocked} == {50_003, 50_007}


async def test_a_sender_killed_mid_way_resumes_without_skipping(
    emulator: TelegramEmulator, make_settings: Callable[..., Settings]
) -> None:
    async with running_bot(make_settings()) as app:
        await app.sending.started.wait()
        await app.sending.stop()  # this test drives (and kills) the sender itself
        people = await audience(app.database, emulator, 60)
        notice = await outbox.create_notice(app.database, None, "消防安全宣传日", people, False)
        stop = asyncio.Event()
        task = asyncio.create_task(
            Sender(app.bot, app.database, app.catalogue, ack_button, batch=10).run_forever(stop)
        )
        await emulator.wait_for(lambda: len(sent_to(emulator)) >= 15, 10)
        task.cancel()  # the process dies mid-batch
        await asyncio.gather(task, return_exceptions=True)
        async with app.database.transaction() as session:  # as if the claims had gone stale
            for delivery in (
                await session.scalars(
                    select(Delivery).where(Delivery.state == DeliveryState.SENDING)
                )
            ).all():
                delivery.claimed_at = delivery.claimed_at - outbox.STALE_CLAIM * 2  # type: ignore[operator]
        resumed = Sender(app.bot, app.database, app.catalogue, ack_button, batch=10)
        while await resumed.run_once():
            pass
        counts = sent_to(emulator)
        assert len(counts) == 60  # nobody skipped
        assert sum(counts.values()) - 60 <= 1  # at most the one message in flight repeats
        assert (await outbox.progress(app.database, notice.id)).sent == 60


async def test_the_running_bot_sends_what_is_queued(
    emulator: TelegramEmulator, make_settings: Callable[..., Settings]
) -> None:
    async with running_bot(make_settings()) as app:
        people = await audience(app.database, emulator, 5)
        notice = await outbox.create_notice(app.database, None, "本周网格巡查提醒", people, False)
        await emulator.wait_for(lambda: len(sent_to(emulator)) == 5, 10)
        first = emulator.user(50_000, "居民0")
        assert (await first.next_message()).text == "📢 通知\n\n本周网格巡查提醒"
        for _ in range(50):
            progress = await outbox.progress(app.database, notice.id)
            if progress.sent == 5:
                break
            await asyncio.sleep(0.05)
        assert progress.sent == 5
