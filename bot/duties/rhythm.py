"""When a duty's periods start (pure: dates in the street's time zone)."""

from __future__ import annotations

import calendar
from datetime import UTC, date, datetime, time, timedelta, tzinfo

from bot.timing import cron as cron_rhythm
from storage.models import Duty, Rhythm

HALF_MONTH_SECOND = 16  # the second half of a month starts on the 16th


def _day_in_month(year: int, month: int, day: int) -> date:
    """Day `day` of the month, or its last day when it has fewer (31 in February: the 28th)."""
    return date(year, month, min(day, calendar.monthrange(year, month)[1]))


def valid_cron(expression: str) -> bool:
    """A duty's cron expression: five fields that fire at most once a day (minute and hour
    plain numbers), so each firing is one period with its own first day (the occurrence's key)."""
    fields = expression.split()
    if len(fields) != 5 or not all(field.isdigit() for field in fields[:2]):
        return False
    try:
        cron_rhythm.trigger(expression, UTC)
    except ValueError:
        return False
    return True


def period_start(rhythm: Rhythm, day: int, today: date) -> date:
    """The first day of the period `today` lies in. `day` is the weekday (1 Monday … 7 Sunday)
    of a weekly duty and the day of the month of a monthly one; the others ignore it."""
    if rhythm is Rhythm.DAILY:
        return today
    if rhythm is Rhythm.WEEKLY:
        return today - timedelta(days=(today.isoweekday() - day) % 7)
    if rhythm is Rhythm.HALF_MONTH:
        return today.replace(day=1 if today.day < HALF_MONTH_SECOND else HALF_MONTH_SECOND)
    this_month = _day_in_month(today.year, today.month, day)
    if this_month <= today:
        return this_month
    year, month = (today.year, today.month - 1) if today.month > 1 else (today.year - 1, 12)
    return _day_in_month(year, month, day)


def valid_day(rhythm: Rhythm, day: int) -> bool:
    if rhythm is Rhythm.WEEKLY:
        return 1 <= day <= 7
    if rhythm is Rhythm.MONTHLY:
        return 1 <= day <= 31
    return True


def starts_at(start: date, tz: tzinfo) -> datetime:
    """The moment a period starting on `start` begins: local midnight."""
    return datetime.combine(start, time(), tzinfo=tz)


def current(
    rhythm: Rhythm, day: int, deadline_hours: int, now: datetime, tz: tzinfo
) -> tuple[date, datetime, datetime]:
    """The current period of a duty at `now`: its first day, when it starts and its deadline."""
    start = period_start(rhythm, day, now.astimezone(tz).date())
    begins = starts_at(start, tz)
    return start, begins, begins + timedelta(hours=deadline_hours)


def period_of(duty: Duty, now: datetime, tz: tzinfo) -> tuple[date, datetime, datetime] | None:
    """The duty's current period at `now` (see `current`); a cron duty's starts at its latest
    firing and is due `deadline_hours` after it (None before its first firing)."""
    if duty.rhythm is not Rhythm.CRON:
        return current(duty.rhythm, duty.day, duty.deadline_hours, now, tz)
    fired = cron_rhythm.last_at_or_before(duty.cron or "", now, tz)
    if fired is None:
        return None
    return fired.astimezone(tz).date(), fired, fired + timedelta(hours=duty.deadline_hours)
