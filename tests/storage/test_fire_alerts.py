"""Fire alerts' claims on SQLite and PostgreSQL: two instances checking at the same moment
escalate a fire once and send each station's alert once; a station with nobody on duty calls
its backups at once."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from sqlalchemy import func, select

from bot.stations import register
from bot.stations.alerts import Alerter
from bot.texts import Catalogue
from sandbox.emulator import TelegramEmulator
from storage.db import Database
from storage.models import (
    Area,
    AreaLevel,
    Case,
    CaseStatus,
    Category,
    FireResponse,
    Person,
    StationAlert,
)
from storage.types import utcnow


async def _fire(database: Database) -> int:
    async with database.transaction() as session:
        community = Area(code="C1", name="一社区", level=AreaLevel.COMMUNITY)
        other = Area(code="C2", name="二社区", level=AreaLevel.COMMUNITY)
        session.add_all([community, other])
        reporter = Person(tg_id=7001, name="居民")
        session.add(reporter)
        await session.flush()
        fire = await session.scalar(select(Category.id).where(Category.code == "fire"))
        case = Case(
            number="F-1",
            status=CaseStatus.NEW,
            category_id=fire,
            reporter_id=reporter.id,
            area_id=community.id,
            urgent=True,
            answers={"kind": "smoke_fire"},  # danger now: the station is alerted
            latitude=30.6,
            longitude=104.0,
            submitted_at=utcnow(),
        )
        session.add(case)
        await session.flush()
        case_id = case.id
    await register.save_station(database, "一站", "C1", 30.601, 104.0)
    await register.save_station(database, "二站", "C2", 30.601, 104.01)
    return case_id


def _bot(emulator: TelegramEmulator) -> Bot:
    return Bot(
        emulator.token, session=AiohttpSession(api=TelegramAPIServer.from_base(emulator.url))
    )


async def test_two_checks_escalate_once(database: Database, emulator: TelegramEmulator) -> None:
    case_id = await _fire(database)
    await register.add_member(database, "一站", 7101)  # on duty: the backups wait 60 s
    bot = _bot(emulator)
    alerter = Alerter(bot, database, Catalogue.load(), lambda t, i: None, tz=None)  # type: ignore[arg-type]
    try:
        response = await alerter.alert(case_id)
        assert response is not None
        assert await alerter.alert(case_id) is not None  # again (a late delivery): no new row
        now = response.alerted_at + timedelta(seconds=30)
        assert await alerter.escalate_due(now) == 0
        later = response.alerted_at + timedelta(seconds=61)
        results = await asyncio.gather(*(alerter.escalate_due(later) for _ in range(3)))
        assert sorted(results) == [0, 0, 1]
        assert await alerter.tick(later + timedelta(minutes=5)) == 0
        async with database.sessions() as session:
            alerts = (await session.scalars(select(StationAlert).order_by(StationAlert.id))).all()
        assert [a.backup for a in alerts] == [False, True]
        assert all(a.sent_at is not None for a in alerts)
    finally:
        await bot.session.close()


async def test_nobody_on_duty_calls_the_backups_at_once(database: Database) -> None:
    case_id = await _fire(database)
    bot = Bot("123456:TEST")  # nobody is on duty anywhere, no lead: nothing is sent through it
    alerter = Alerter(bot, database, Catalogue.load(), lambda t, i: None, tz=None)  # type: ignore[arg-type]
    try:
        response = await alerter.alert(case_id)
        assert response is not None
        async with database.sessions() as session:
            fire = await session.get_one(FireResponse, response.id)
            alerts = (await session.scalars(select(StationAlert).order_by(StationAlert.id))).all()
        assert fire.escalated_at == fire.alerted_at == fire.escalate_at
        assert [a.backup for a in alerts] == [False, True]
        assert all(a.sent_at is not None for a in alerts)
        later = response.alerted_at + timedelta(seconds=61)
        assert await alerter.tick(later) == 0  # once
    finally:
        await bot.session.close()


async def test_an_alert_claimed_and_never_sent_is_sent_once_after_the_lease(
    database: Database,
) -> None:
    case_id = await _fire(database)
    bot = Bot("123456:TEST")
    alerter = Alerter(bot, database, Catalogue.load(), lambda t, i: None, tz=None)  # type: ignore[arg-type]
    try:
        response = await alerter.alert(case_id)
        assert response is not None
        async with database.transaction() as session:  # as a process stopped mid-send leaves it
            alert = await session.scalar(select(StationAlert))
            assert alert is not None
            alert.sent_at = None
        soon = utcnow() + timedelta(seconds=10)
        assert await alerter.resend_stale(soon) == 0  # still held by its sender
        late = utcnow() + timedelta(minutes=2)
        results = await asyncio.gather(alerter.resend_stale(late), alerter.resend_stale(late))
        assert sorted(results) == [0, 1]
        async with database.sessions() as session:
            unsent = await session.scalar(
                select(func.count()).where(StationAlert.sent_at.is_(None))
            )
        assert unsent == 0
    finally:
        await bot.session.close()
