"""Wiring: the database, the Bot, the Dispatcher with its storage, middlewares and routers."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import timedelta

from aiogram import Bot, Dispatcher
from aiogram.fsm.storage.base import BaseEventIsolation, BaseStorage, DefaultKeyBuilder
from aiogram.fsm.storage.memory import SimpleEventIsolation
from aiogram.fsm.storage.redis import RedisEventIsolation, RedisStorage
from aiogram.utils.token import extract_bot_id
from apscheduler.schedulers.asyncio import AsyncIOScheduler
from redis.asyncio import Redis

from app.clock import create_scheduler, keep_interrupted
from app.lean_aiogram import build_hot_types
from app.metrics import Metrics
from app.owed import dog_news
from bot.cases.desk import Desk
from bot.cases.news import Notifier
from bot.config import Settings
from bot.dogs import days as dog_days
from bot.dogs import sightings
from bot.notices.paid import paid_broadcast
from bot.notices.sender import Sender, SenderTask
from bot.people.registration import mark_unreachable
from bot.reports.media import MediaStore
from bot.stations.alerts import Alerter
from bot.telegram import commands
from bot.telegram.session import RetryMiddleware, create_bot
from bot.telegram.shared_budget import SharedBudget
from bot.telegram.throttle import Throttle
from bot.texts import Catalogue
from handlers import get_routers
from handlers.admin.stats import publish_button
from handlers.common.dog_day_keyboards import DayNotice
from handlers.common.keyboards import card_buttons, fire_go_button, notice_buttons
from handlers.common.middlewares import (
    PersonMiddleware,
    UnitOfWorkMiddleware,
    UpdateJournalMiddleware,
)
from handlers.common.notice_keyboards import ack_button
from storage import migrate
from storage.db import Database
from storage.fsm import DatabaseStorage
from storage.updates import forget_handled

log = logging.getLogger(__name__)

# Telegram redelivers an update for at most a day; handled ids are kept a little longer.
JOURNAL_RETENTION = timedelta(days=2)
# Redis answers in microseconds: a call that takes a second means it is gone. An update that
# cannot lock or read its conversation then fails fast and is kept for a replay (the journal
# comes first); the shared send budget gives up too, and the local throttle decides alone.
REDIS_TIMEOUT_S = 1.0
# A new connection may wait longer: a Redis that accepts but hangs is bounded by the reads'
# timeout above, and a refused one fails at once; on a busy machine a connect can miss 1 s.
REDIS_CONNECT_TIMEOUT_S = 5.0


@dataclass
class App:
    """Everything one running bot process holds."""

    settings: Settings
    database: Database
    catalogue: Catalogue
    bot: Bot
    dispatcher: Dispatcher
    retry: RetryMiddleware
    journal: UpdateJournalMiddleware
    media: MediaStore
    notifier: Notifier
    desk: Desk
    sending: SenderTask
    metrics: Metrics
    scheduler: AsyncIOScheduler  # the clock's jobs (app/clock.py)
    # Webhook calls beyond UPDATE_CONCURRENCY wait here (polling waits in aiogram, see runner).
    update_slots: asyncio.Semaphore = field(init=False)

    def __post_init__(self) -> None:
        self.update_slots = asyncio.Semaphore(self.settings.update_concurrency)

    async def drain(self, grace_s: float = 20) -> None:
        """Let updates being handled finish (polling does not wait for them when it stops)."""
        if unfinished := await self.journal.drain(grace_s):
            log.warning("%s updates were still being handled at shutdown", unfinished)
        await self.media.wait()

    async def close(self) -> None:
        await self.dispatcher.storage.close()  # and the Redis client, if any (see redis_client)
        await self.dispatcher.fsm.events_isolation.close()
        await self.bot.session.close()
        await self.database.dispose()


def redis_client(settings: Settings) -> Redis | None:
    """The process's one Redis client (conversation state, per-user locks, the send budget),
    when REDIS_URL is set; the conversation storage closes it."""
    if not settings.redis_url:
        return None
    return Redis.from_url(
        settings.redis_url,
        socket_connect_timeout=REDIS_CONNECT_TIMEOUT_S,
        socket_timeout=REDIS_TIMEOUT_S,
    )


def conversation_storage(
    database: Database, redis: Redis | None
) -> tuple[BaseStorage, BaseEventIsolation]:
    """Redis (state and per-user locks shared by instances) when there is one, else the DB."""
    if redis is not None:
        storage = RedisStorage(redis, key_builder=DefaultKeyBuilder(with_destiny=True))
        return storage, RedisEventIsolation(redis=redis)
    return DatabaseStorage(database), SimpleEventIsolation()


def outgoing_throttle(settings: Settings, redis: Redis | None) -> Throttle:
    """The outgoing throttle; with Redis, its budget is shared by every process of the bot."""
    paid_rate = settings.paid_broadcast_rate
    if redis is None:
        return Throttle(settings.broadcast_rate, paid_rate=paid_rate)
    bot_id = extract_bot_id(settings.bot_token.get_secret_value())
    budget = SharedBudget(redis, bot_id, broadcast_rate=settings.broadcast_rate)
    return Throttle(settings.broadcast_rate, paid_rate=paid_rate, budget=budget)


def build_dispatcher(
    settings: Settings,
    database: Database,
    catalogue: Catalogue,
    journal: UpdateJournalMiddleware,
    redis: Redis | None,
    **services: object,
) -> Dispatcher:
    """The Dispatcher with its dependencies by name, middlewares and routers."""
    storage, isolation = conversation_storage(database, redis)
    dispatcher = Dispatcher(
        storage=storage,
        events_isolation=isolation,
        disable_fsm=True,  # registered below, behind the journal
        settings=settings,
        database=database,
        catalogue=catalogue,
        tz=settings.tz,
        **services,
    )
    # Order matters: the journal first, so a duplicate update costs nothing more, and an update
    # whose conversation cannot be locked or read (Redis gone) is still kept for a replay; it is
    # marked handled inside the conversation's lock, so the person's next update sees its state.
    dispatcher.update.outer_middleware(journal)
    dispatcher.update.outer_middleware(dispatcher.fsm)
    dispatcher.update.outer_middleware(UnitOfWorkMiddleware(database))
    dispatcher.update.outer_middleware(journal.finish)
    dispatcher.update.outer_middleware(PersonMiddleware(database, catalogue, settings.admin_ids))
    dispatcher.include_routers(*get_routers())

    async def on_startup(bot: Bot) -> None:
        if database.is_sqlite:  # one process owns SQLite: every open claim is a stopped run's
            await keep_interrupted(database, older_than=timedelta(0))
        await commands.set_default_commands(bot, catalogue)
        forgotten = await forget_handled(database, older_than=JOURNAL_RETENTION)
        log.info("update journal: %s old records dropped", forgotten)

    dispatcher.startup.register(on_startup)
    return dispatcher


async def create_app(settings: Settings, *, apply_migrations: bool = True) -> App:
    """Connect to the database (migrating it first) and build the bot."""
    build_hot_types()
    database = Database(settings.database_url, one_trip_cursor=settings.sqlite_one_trip_cursor)
    if apply_migrations:
        await migrate.upgrade(database)
    catalogue = Catalogue.load(settings.default_language)

    async def on_blocked(chat_id: int) -> None:
        await mark_unreachable(database, chat_id)

    redis = redis_client(settings)
    retry = RetryMiddleware(on_blocked=on_blocked, throttle=outgoing_throttle(settings, redis))
    bot = create_bot(settings.bot_token.get_secret_value(), settings.telegram_api_url, retry)
    metrics = Metrics()
    metrics.count_retry_after(retry)
    journal = UpdateJournalMiddleware(database, metrics, catalogue)
    bot.session.middleware(journal.receive)  # polled updates are claimed on arrival
    media = MediaStore(bot, database, settings.media_dir)
    notifier = Notifier(bot, database, catalogue, notice_buttons)
    stations = Alerter(bot, database, catalogue, fire_go_button, settings.tz)
    desk = Desk(
        bot,
        database,
        catalogue,
        notifier,
        card_buttons,
        settings.tz,
        settings.routing_tolerance_m,
        stations=stations,
        dog_lines=sightings.card_lines,
    )
    dispatcher = build_dispatcher(
        settings,
        database,
        catalogue,
        journal,
        redis,
        media=media,
        notifier=notifier,
        desk=desk,
        dog_news=dog_news(bot, catalogue, settings.tz),
    )
    scheduler = create_scheduler(database, desk, media, settings, publish_button)
    metrics.watch(scheduler)

    async def start_clock() -> None:  # async: aiogram would run a plain function in a thread
        scheduler.start()

    async def stop_clock() -> None:
        if scheduler.running:
            scheduler.shutdown(wait=False)

    dispatcher.startup.register(start_clock)
    dispatcher.shutdown.register(stop_clock)

    sender = Sender(
        bot,
        database,
        catalogue,
        ack_button,
        claim_timeout=timedelta(seconds=settings.outbox_claim_seconds),
        tz=settings.tz,
        quiet=settings.quiet_hours,
        on_delivery=metrics.count_delivery,
        paid=paid_broadcast(settings),
        subjects={dog_days.SUBJECT: DayNotice(database)},
    )
    sending = SenderTask(sender)
    dispatcher.startup.register(sending.start)
    dispatcher.shutdown.register(sending.stop)
    return App(
        settings,
        database,
        catalogue,
        bot,
        dispatcher,
        retry,
        journal,
        media,
        notifier,
        desk,
        sending,
        metrics,
        scheduler,
    )
