"""The clock: a few periodic ticks that read what is due from the database.

APScheduler keeps no state of its own here; each tick is idempotent (a case already closed by
someone else is skipped), so a restart or a second instance does no harm.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from apscheduler.schedulers.asyncio import AsyncIOScheduler
from apscheduler.schedulers.base import BaseScheduler

from app.owed import deliver_others
from bot.cases import lifecycle, owed
from bot.cases.desk import Desk
from bot.config import Settings
from bot.deadlines import escalation
from bot.deadlines.digest import daily_digest
from bot.deadlines.escalation import sla_tick
from bot.dogs.bookings import remind_bookers
from bot.dogs.reminders import queue_reminders
from bot.duties.watch import DutyWatch
from bot.figures.ranking import PublishButton, send_monthly
from bot.notices.acknowledgements import remind_unacknowledged
from bot.reports.media import MediaStore
from storage import updates as journal
from storage.db import Database
from storage.types import move_clock, utcnow

log = logging.getLogger(__name__)

SLA_EVERY_MIN = 1
DIGEST_AT = (8, 30)  # local time
RANKING_EVERY_MIN = 30
AUTO_CLOSE_EVERY_MIN = 10
MEDIA_RETRY_EVERY_MIN = 5
ACK_REMINDER_EVERY_MIN = 10
INTERRUPTED_EVERY_MIN = 5
OWED_EVERY_MIN = 1
FIRE_ALERTS_EVERY_S = 10  # a fire's backup is due 60 s after its alert
DOG_REMINDERS_EVERY_MIN = 60
DUTIES_EVERY_MIN = 5


async def auto_close(
    database: Database, desk: Desk, after_hours: int, now: datetime | None = None
) -> int:
    """Close resolved cases whose reporter did not answer within `after_hours`."""
    now = now or utcnow()
    async with database.sessions() as session:
        due = await lifecycle.overdue_resolved(session, now - timedelta(hours=after_hours))
    closed = 0
    for case_id in due:
        try:
            await desk.act(case_id, lifecycle.Action.CLOSE, None, note="auto", now=now)
        except lifecycle.CaseError:
            continue  # answered or closed meanwhile
        closed += 1
    if closed:
        log.info("auto-closed %s resolved cases", closed)
    return closed


async def keep_interrupted(database: Database, older_than: timedelta = journal.STALE_CLAIM) -> int:
    """Updates whose process stopped while handling them become failed ones, for `/failed`."""
    kept = await journal.give_up_interrupted(database, older_than)
    if kept:
        log.warning("%s updates were interrupted by a stopped process: kept as failed", kept)
    return kept


async def deliver_owed(
    database: Database, desk: Desk, now: datetime | None = None, lease: timedelta = owed.LEASE
) -> int:
    """What stopped processes owed after changing cases (news, cards, escalations), dogs,
    duties and fires."""
    now = now or utcnow()
    cases = await owed.deliver_overdue(desk, now, lease)
    cases += await escalation.deliver_overdue(database, desk, now, lease)
    return cases + await deliver_others(database, desk, now, lease)


def create_scheduler(
    database: Database,
    desk: Desk,
    media: MediaStore,
    settings: Settings,
    ranking_button: PublishButton,
) -> AsyncIOScheduler:
    scheduler = AsyncIOScheduler(timezone=settings.tz)
    scheduler.add_job(
        sla_tick,
        "interval",
        minutes=SLA_EVERY_MIN,
        args=[database, desk, settings.quiet_hours, settings.tz],
        id="sla_watch",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        auto_close,
        "interval",
        minutes=AUTO_CLOSE_EVERY_MIN,
        args=[database, desk, settings.auto_close_hours],
        id="auto_close",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        daily_digest,
        "cron",
        hour=DIGEST_AT[0],
        minute=DIGEST_AT[1],
        args=[database, desk.bot, desk.catalogue, settings.tz],
        id="daily_digest",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        send_monthly,  # once a month from the 1st at 09:00; a 1st the bot missed is caught up
        "interval",
        minutes=RANKING_EVERY_MIN,
        args=[database, desk.bot, desk.catalogue, settings.tz, ranking_button],
        id="monthly_ranking",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        remind_unacknowledged,
        "interval",
        minutes=ACK_REMINDER_EVERY_MIN,
        args=[database],
        id="ack_reminders",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        keep_interrupted,
        "interval",
        minutes=INTERRUPTED_EVERY_MIN,
        args=[database],
        id="interrupted_updates",
        max_instances=1,
        coalesce=True,
    )
    if desk.stations is not None:
        scheduler.add_job(
            desk.stations.tick,  # fires nobody set off for in 60 s: backups and the lead
            "interval",
            seconds=FIRE_ALERTS_EVERY_S,
            id="fire_alerts",
            max_instances=1,
            coalesce=True,
        )
    scheduler.add_job(
        deliver_owed,
        "interval",
        minutes=OWED_EVERY_MIN,
        args=[database, desk],
        id="owed_messages",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        queue_reminders,  # rabies vaccinations about to lapse, and lapsed: once per stage
        "interval",
        minutes=DOG_REMINDERS_EVERY_MIN,
        args=[database, desk.catalogue, settings.tz],
        id="dog_reminders",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        remind_bookers,  # the day before an immunisation day, once per day
        "interval",
        minutes=DOG_REMINDERS_EVERY_MIN,
        args=[database, desk.catalogue, settings.tz],
        id="dog_day_reminders",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        DutyWatch(database, desk.bot, desk.catalogue, settings.tz).tick,  # occurrences, reminders,
        "interval",  # and missed ones a level up: each once
        minutes=DUTIES_EVERY_MIN,
        id="duties",
        max_instances=1,
        coalesce=True,
    )
    scheduler.add_job(
        media.download_pending,
        "interval",
        minutes=MEDIA_RETRY_EVERY_MIN,
        id="media_retry",
        max_instances=1,
        coalesce=True,
    )
    return scheduler


async def run_due_jobs(scheduler: BaseScheduler, since: datetime, until: datetime) -> list[str]:
    """Run once every job whose trigger would have fired between `since`
    and `until` (moments of the clock the code reads); returns their ids.

    APScheduler fires on wall time, so a clock moved forward (`move_clock`) leaves undone what
    fell due in the jump: the SLA watch, the digest at 08:30, the monthly list... Each job reads
    the moved clock itself and is idempotent, so one run after the jump does what its many
    missed runs would have done."""
    ran = []
    for job in scheduler.get_jobs():
        fires = job.trigger.get_next_fire_time(None, since)
        if fires is None or fires > until:
            continue
        try:
            await job.func(*job.args, **job.kwargs)
        except Exception:  # one job failing must not keep the others from their turn
            log.exception("job %s failed after the clock moved", job.id)
            continue
        ran.append(job.id)
    return ran


async def move_time(scheduler: BaseScheduler, by: timedelta) -> list[str]:
    """Move the clock forward by `by` and run what fell due meanwhile; returns the jobs run."""
    since = utcnow()
    return await run_due_jobs(scheduler, since, move_clock(by))
