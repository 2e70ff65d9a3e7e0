"""Five-field cron expressions (minute hour day month weekday; weekday 0 or 7 is Sunday), read
by APScheduler's cron trigger: one parser for notice plans and routine duties."""

from __future__ import annotations

import re
from datetime import datetime, timedelta, tzinfo

from apscheduler.triggers.cron import CronTrigger

WEEKDAYS = ("sun", "mon", "tue", "wed", "thu", "fri", "sat", "sun")
LOOKBACK = (timedelta(hours=1), timedelta(days=1), timedelta(days=32), timedelta(days=400))
MOST_FIRINGS = 2000  # within one lookback window, so a dense expression stays cheap


def trigger(expression: str, tz: tzinfo) -> CronTrigger:
    """APScheduler's cron trigger; numeric weekdays are read as cron reads them (0 = Sunday),
    not as APScheduler does (0 = Monday). A ValueError when it is not a cron expression."""
    fields = expression.split()
    if len(fields) != 5:
        raise ValueError(expression)
    fields[4] = re.sub(r"(?<!/)\b[0-7]\b", lambda m: WEEKDAYS[int(m[0])], fields[4])
    minute, hour, day, month, weekday = fields
    return CronTrigger(
        minute=minute, hour=hour, day=day, month=month, day_of_week=weekday, timezone=tz
    )


def next_after(expression: str, after: datetime, tz: tzinfo) -> datetime | None:
    """The first firing strictly after `after`."""
    local = after.astimezone(tz) + timedelta(seconds=1)
    return trigger(expression, tz).get_next_fire_time(None, local)


def last_at_or_before(expression: str, now: datetime, tz: tzinfo) -> datetime | None:
    """The latest firing at or before `now` (within about a year), or None."""
    cron = trigger(expression, tz)
    for window in LOOKBACK:
        latest, at = None, cron.get_next_fire_time(None, (now - window).astimezone(tz))
        for _ in range(MOST_FIRINGS):
            if at is None or at > now:
                break
            latest, at = at, cron.get_next_fire_time(at, at + timedelta(seconds=1))
        if latest is not None:
            return latest
    return None
