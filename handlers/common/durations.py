"""Durations and moments as people read them, in their language (the words are the catalogues'
`time.*` texts): 30 minutes, 2 hours, 3 days; today at 18:30, tomorrow at 08:31."""

from __future__ import annotations

from datetime import datetime, timedelta, tzinfo

from bot.texts import Translator


def duration_text(t: Translator, minutes: int) -> str:
    """The largest whole unit that says `minutes` exactly (one of it said in the singular)."""
    if minutes % (24 * 60) == 0 and minutes >= 24 * 60:
        unit, count = "day", minutes // (24 * 60)
    elif minutes % 60 == 0 and minutes >= 60:
        unit, count = "hour", minutes // 60
    else:
        unit, count = "minute", minutes
    return t(f"time.{unit}" if count == 1 else f"time.{unit}s", count=count)


def moment_text(t: Translator, moment: datetime, now: datetime, tz: tzinfo) -> str:
    """A moment as people say it, in local time: today 18:30, tomorrow 08:31, or its date."""
    local, today = moment.astimezone(tz), now.astimezone(tz).date()
    clock = local.strftime("%H:%M")
    if local.date() == today:
        return t("time.today_at", time=clock)
    if local.date() == today + timedelta(days=1):
        return t("time.tomorrow_at", time=clock)
    return t("time.date_at", month=local.month, day=local.day, time=clock)
