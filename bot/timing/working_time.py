"""Working time (工作时 / 工作日) for non-urgent deadlines.

The rule: office hours are 08:30–17:30 on working days. Working days are China's, from the
`chinesecalendar` package: weekends and public holidays off, make-up working days (调休) on. For a
year the package does not know yet, plain Monday–Friday is used and a warning is logged.
A deadline of whole days (24 h, 72 h, 7 days) counts working days: the same time of day that many
working days later. Any other deadline (2 h, 4 h) counts working minutes inside office hours.
A clock started outside office hours starts at the next opening. Urgent cases count clock time.
"""

from __future__ import annotations

import logging
from datetime import date, datetime, time, timedelta, tzinfo

import chinese_calendar

log = logging.getLogger(__name__)

OFFICE_OPENS = time(8, 30)
OFFICE_CLOSES = time(17, 30)
DAY = 24 * 60
_warned: set[int] = set()


def is_workday(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        if day.year not in _warned:
            _warned.add(day.year)
            log.warning("no holiday calendar for %s: counting Monday to Friday", day.year)
        return day.weekday() < 5


def _opening(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, OFFICE_OPENS, tzinfo=tz)


def _closing(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, OFFICE_CLOSES, tzinfo=tz)


def _next_workday(day: date) -> date:
    day += timedelta(days=1)
    while not is_workday(day):
        day += timedelta(days=1)
    return day


def office_moment(moment: datetime, tz: tzinfo) -> datetime:
    """`moment` if the office is open then, else the next opening."""
    local = moment.astimezone(tz)
    day = local.date()
    if is_workday(day) and local < _opening(day, tz):
        return _opening(day, tz)
    if is_workday(day) and local < _closing(day, tz):
        return local
    return _opening(_next_workday(day), tz)


def deadline(start: datetime, minutes: int, tz: tzinfo, *, urgent: bool = False) -> datetime:
    """When `minutes` of allowed time started at `start` run out (aware, UTC)."""
    if urgent or minutes <= 0:
        return start + timedelta(minutes=max(0, minutes))
    cursor = office_moment(start, tz)
    if minutes % DAY == 0:
        day = cursor.date()
        for _ in range(minutes // DAY):
            day = _next_workday(day)
        return datetime.combine(day, cursor.timetz()).astimezone(start.tzinfo)
    remaining = timedelta(minutes=minutes)
    while True:
        left_today = _closing(cursor.date(), tz) - cursor
        if remaining <= left_today:
            return (cursor + remaining).astimezone(start.tzinfo)
        remaining -= left_today
        cursor = _opening(_next_workday(cursor.date()), tz)
