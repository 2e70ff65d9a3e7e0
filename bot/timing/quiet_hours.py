"""Quiet hours (QUIET_HOURS, e.g. 22:00-07:00): when non-urgent reminders, escalations and notices
wait for the morning. Urgent ones ignore them."""

from __future__ import annotations

from datetime import datetime, time, timedelta, tzinfo


def in_quiet_hours(now: datetime, quiet: tuple[time, time] | None, tz: tzinfo) -> bool:
    """Whether `now` falls in the quiet hours (which may span midnight)."""
    if quiet is None:
        return False
    local = now.astimezone(tz).time()
    start, end = quiet
    return start <= local < end if start <= end else (local >= start or local < end)


def quiet_hours_end(now: datetime, quiet: tuple[time, time], tz: tzinfo) -> datetime:
    """When the quiet hours that `now` falls in end (the next time the end comes round)."""
    local = now.astimezone(tz)
    end = datetime.combine(local.date(), quiet[1], tzinfo=tz)
    return end if end > local else end + timedelta(days=1)
