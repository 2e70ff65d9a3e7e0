"""When a notice goes out: once, daily, weekly, monthly at a local time, or a cron expression.

Times are wall-clock times in the street's time zone (TIMEZONE). "Monthly on day 29, 30 or 31"
runs on the last day of a month that is shorter, so a monthly notice never skips a month. Cron
expressions have the usual five fields (minute hour day month weekday; weekday 0 or 7 is Sunday).
"""

from __future__ import annotations

import calendar
import enum
import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from bot.errors import PoliteError
from bot.timing.cron import trigger as _cron


class Repeat(enum.StrEnum):
    ONCE = "once"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    CRON = "cron"


@dataclass(frozen=True)
class Schedule:
    """A repetition and its spec: ISO datetime (once), `HH:MM` (daily), `D HH:MM` with D the
    weekday 1–7 (weekly) or the day 1–31 (monthly), or a five-field cron expression."""

    repeat: Repeat
    spec: str

    def next_after(self, after: datetime, tz: tzinfo) -> datetime | None:
        """The first run strictly after `after` (aware), or None when there is none."""
        local = after.astimezone(tz)
        if self.repeat == Repeat.ONCE:
            at = datetime.fromisoformat(self.spec)
            return at if at > after else None
        if self.repeat == Repeat.CRON:
            return _cron(self.spec, tz).get_next_fire_time(None, local + timedelta(seconds=1))
        day, at = _day_and_time(self.spec)
        for offset in range(0, 63):  # two months covers every monthly case
            candidate_day = local.date() + timedelta(days=offset)
            if not self._runs_on(candidate_day, day):
                continue
            candidate = datetime.combine(candidate_day, at, tzinfo=tz)
            if candidate > local:
                return candidate
        return None

    def _runs_on(self, on: date, day: int) -> bool:
        if self.repeat == Repeat.DAILY:
            return True
        if self.repeat == Repeat.WEEKLY:
            return on.isoweekday() == day
        last = calendar.monthrange(on.year, on.month)[1]
        return on.day == min(day, last)


TIME = re.compile(r"^(\d{1,2})[:：](\d{2})$")


def parse(repeat: Repeat, text: str, now: datetime, tz: tzinfo) -> Schedule:
    """A schedule from what an author typed; a PoliteError naming the expected form otherwise."""
    text = " ".join(text.split())
    try:
        schedule = _parse(repeat, text, tz)
    except (ValueError, KeyError) as error:
        raise PoliteError(f"when.bad_{repeat.value}") from error
    if schedule.next_after(now, tz) is None:
        raise PoliteError("when.in_the_past")
    return schedule


def _parse(repeat: Repeat, text: str, tz: tzinfo) -> Schedule:
    if repeat == Repeat.ONCE:
        at = datetime.strptime(text.replace("：", ":"), "%Y-%m-%d %H:%M").replace(tzinfo=tz)
        return Schedule(repeat, at.isoformat())
    if repeat == Repeat.CRON:
        _cron(text, tz)
        return Schedule(repeat, text)
    if repeat == Repeat.DAILY:
        at = _time(text)
        return Schedule(repeat, at.strftime("%H:%M"))
    day_text, _, time_text = text.partition(" ")
    day, at = int(day_text), _time(time_text)
    if not 1 <= day <= (7 if repeat == Repeat.WEEKLY else 31):
        raise ValueError(day)
    return Schedule(repeat, f"{day} {at.strftime('%H:%M')}")


def _time(text: str) -> time:
    match = TIME.match(text)
    if match is None:
        raise ValueError(text)
    return time(int(match[1]), int(match[2]))


def _day_and_time(spec: str) -> tuple[int, time]:
    day, _, at = spec.rpartition(" ")
    return (int(day) if day else 0), _time(at)
