"""Broadcasts through the emulator with Telegram's limits on: everyone once, no 429 at the
default rate, blocked people marked, and a sender killed mid-way resumes without skipping."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import Callable

from sqlalchemy import select

from app.admin_cli import DEMO_FILE
from app.wiring import App
from bot.config import Settings
from bot.notices import outbox, plans
from bot.notices.audience import Audience, Kind
from bot.notices.sender import Sender
from bot.places.areas import import_file
from handlers.common.notice_keyboards import ack_button
from sandbox.emulator import Limits, TelegramEmulator
from storage.models import Area, Delivery, DeliveryState, Notice, Person, Subscription
from tests.conftest import StartBot

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
    checked_bot: StartBot,
) -> None:
    async with (
        TelegramEmulator(limits=Limits()) as emu,
        checked_bot(make_settings(telegram_api_url=emu.url), emu=emu) as app,
    ):
        await app.sending.started.wait()
        await app.sending.stop()  # this test drives the sender itself
        people = await audience(app.database, emu, AUDIENCE)
        emu.blocked.update({50_003, 50_007})
        notice = await outbox.create_notice(
            app.database, None, "周六 9:00 犬只免疫登记", people, False
        )
        sender = Sender(
            app.bot, app.database, app.catalogue, ack_button, on_delivery=app.metrics.count_delivery
        )
        while await sender.run_once():
            pass
        progress = await outbox.progress(app.database, notice.id)
        assert (progress.sent, progress.blocked, progress.failed) == (AUDIENCE - 2, 2, 0)
        counted = app.metrics.registry.get_sample_value
        assert counted("minqing_deliveries_total", {"state": "sent"}) == AUDIENCE - 2
        assert counted("minqing_deliveries_total", {"state": "blocked"}) == 2
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
    emulator: TelegramEmulator, make_settings: Callable[..., Settings], checked_bot: StartBot
) -> None:
    async with checked_bot(make_settings()) as app:
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
        # At most the messages in flight repeat: the batch of 10 is sent at once, and the
        # killed sender may not have written their marks yet.
        assert sum(counts.values()) - 60 <= 10
        assert (await outbox.progress(app.database, notice.id)).sent == 60


async def test_the_running_bot_sends_what_is_queued(
    emulator: TelegramEmulator, make_settings: Callable[..., Settings], checked_bot: StartBot
) -> None:
    async with checked_bot(make_settings()) as app:
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


async def subscribers(
    app: App, emu: TelegramEmulator, per_community: int, codes: list[str]
) -> dict[str, list[int]]:
    """`per_community` subscribed residents in each community, written straight to the database."""
    by_code: dict[str, list[int]] = {}
    async with app.database.transaction() as session:
        areas = {a.code: a.id for a in (await session.scalars(select(Area))).all()}
        for index, code in enumerate(codes):
            people = []
            for number in range(per_community):
                tg_id = 60_000 + index * per_community + number
                emu.user(tg_id, f"居民{tg_id}")
                people.append(Person(tg_id=tg_id, name=f"居民{tg_id}"))
            session.add_all(people)
            await session.flush()
            session.add_all(Subscription(person_id=p.id, area_id=areas[code]) for p in people)
            by_code[code] = [p.tg_id for p in people]
    return by_code


async def test_a_thousand_subscribers_get_a_notice_within_telegrams_limits(
    make_settings: Callable[..., Settings],
    checked_bot: StartBot,
) -> None:
    """~1,000 recipients among 1,200 subscribers, at the default rate, Telegram's limits on."""
    async with (
        TelegramEmulator(limits=Limits()) as emu,
        checked_bot(make_settings(telegram_api_url=emu.url), emu=emu) as app,
    ):
        await import_file(app.database, DEMO_FILE)
        codes = ["JN01", "JN02", "JN03", "JN04", "JN05", "JN06"]
        by_code = await subscribers(app, emu, 200, codes)
        audience_ids = [tg for code in codes[:5] for tg in by_code[code]]
        blocked = {audience_ids[7], audience_ids[500]}
        emu.blocked.update(blocked)
        async with app.database.transaction() as session:
            areas = {a.code: a.id for a in (await session.scalars(select(Area))).all()}
            chosen = Audience(Kind.RESIDENTS, tuple(areas[c] for c in codes[:5]))
            plan = await plans.save_plan(
                session,
                plans.Draft("犬只免疫登记日", chosen, plans.NOW),
                None,
                None,
                app.settings.tz,
            )
        await emu.wait_for(lambda: len(sent_to(emu)) >= len(audience_ids) - len(blocked), 120)
        for _ in range(100):
            async with app.database.sessions() as session:
                run = await session.scalar(select(Notice).where(Notice.plan_id == plan.id))
            if run is not None and run.status == "done":
                break
            await asyncio.sleep(0.1)
        counts = sent_to(emu)
        assert set(counts) == set(audience_ids) - blocked  # exactly the audience
        assert set(counts.values()) == {1}  # once each
        assert emu.retry_after_sent == 0  # no 429 at the default rate
        assert run is not None
        progress = await outbox.progress(app.database, run.id)
        assert (progress.sent, progress.blocked, progress.failed) == (998, 2, 0)


async def test_a_429_storm_is_ridden_out(
    make_settings: Callable[..., Settings], checked_bot: StartBot
) -> None:
    """Telegram suddenly allows far less than the throttle assumes: 429s come, nobody is lost."""
    async with (
        TelegramEmulator(limits=Limits(global_per_s=8)) as emu,
        checked_bot(make_settings(telegram_api_url=emu.url), emu=emu) as app,
    ):
        people = await audience(app.database, emu, 60)
        notice = await outbox.create_notice(app.database, None, "台风预警", people, True)
        await emu.wait_for(lambda: len(sent_to(emu)) == 60, 60)
        assert emu.retry_after_sent > 0  # the storm happened
        counts = sent_to(emu)
        assert set(counts.values()) == {1}
        for _ in range(50):
            if (await outbox.progress(app.database, notice.id)).sent == 60:
                break
            await asyncio.sleep(0.1)
        assert (await outbox.progress(app.database, notice.id)).failed == 0
