"""Members' weekly shifts (值班时段) and who is on duty: plain rules on local wall time.

A member is on duty, in this order of precedence:

1. as they last switched themselves (/onduty or /offduty), until the next start or end of one
   of their shifts after the switch: going off in a shift lasts until it ends, going on outside
   one lasts until the next one starts (then the shifts rule again);
2. otherwise while one of their shifts runs;
3. a member with neither shifts nor a switch of their own is on duty (as added).

Shifts are typed as pairs of days and hours, `mon-fri 08:00-20:00 sat,sun 09:00-12:00`: days
by the names in the catalogues (every language), numbers 1 (Monday) to 7 (Sunday), ranges with
`-` (`fri-mon` wraps round the week) and lists with `,`; hours `HH:MM-HH:MM`, an end at or before
the start ending the next day (`20:00-08:00`), `24:00` the end of the day.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo

from bot.errors import PoliteError
from bot.texts import Catalogue, Translator

DAY = 24 * 60
WEEK = 7
HOURS = re.compile(r"^(\d{1,2}):(\d{2})[-~](\d{1,2}):(\d{2})$")
RANGE = re.compile(r"^(.+?)[-~](.+)$")
LONGEST_CALM = timedelta(days=WEEK + 1)  # a week holds every shift's start and end


class ShiftError(PoliteError):
    """Days or hours not understood."""


@dataclass(frozen=True, order=True)
class Shift:
    weekday: int  # 1 Monday … 7 Sunday: the day the shift starts
    start: int  # minutes after local midnight
    end: int  # minutes after midnight; at or before `start`: the next day


@dataclass(frozen=True)
class Switch:
    """A member's own /onduty (on) or /offduty, and when."""

    on: bool
    at: datetime


def on_duty(shifts: Sequence[Shift], switch: Switch | None, now: datetime, tz: tzinfo) -> bool:
    """Whether a member with these shifts and this switch is on duty at `now`."""
    if switch is not None and not changes_between(shifts, switch.at, now, tz):
        return switch.on
    if shifts:
        return in_shift(shifts, now, tz)
    return True


def in_shift(shifts: Sequence[Shift], now: datetime, tz: tzinfo) -> bool:
    today = now.astimezone(tz).date()
    return any(start <= now < end for start, end in _spans(shifts, today, today, tz))


def changes_between(shifts: Sequence[Shift], since: datetime, until: datetime, tz: tzinfo) -> bool:
    """Whether one of the shifts starts or ends after `since`, up to `until`."""
    if not shifts or until <= since:
        return False
    if until - since > LONGEST_CALM:
        return True
    first, last = since.astimezone(tz).date(), until.astimezone(tz).date()
    spans = _spans(shifts, first, last, tz)
    return any(since < moment <= until for span in spans for moment in span)


def _spans(
    shifts: Sequence[Shift], first: date, last: date, tz: tzinfo
) -> Iterator[tuple[datetime, datetime]]:
    """The shifts that start from the day before `first` to `last` (one may run overnight)."""
    day = first - timedelta(days=1)
    while day <= last:
        for shift in shifts:
            if shift.weekday == day.isoweekday():
                length = (shift.end - shift.start) % DAY or DAY
                start = _at(day, shift.start, tz)
                yield start, _at(day, shift.start + length, tz)
        day += timedelta(days=1)


def _at(day: date, minutes: int, tz: tzinfo) -> datetime:
    days, minute = divmod(minutes, DAY)
    moment = time(minute // 60, minute % 60)
    return datetime.combine(day + timedelta(days=days), moment, tzinfo=tz)


def read(words: Sequence[str], catalogue: Catalogue) -> list[Shift]:
    """The shifts typed after a member (the catalogues' word for none alone: no shifts)."""
    nothing = {_plain(w) for text in catalogue.every("stations.shift_none") for w in text.split()}
    if len(words) == 1 and _plain(words[0]) in nothing:
        return []
    return parse(words, day_names(catalogue))


def parse(words: Sequence[str], day_names: Mapping[str, tuple[int, ...]]) -> list[Shift]:
    """Pairs of days and hours (see the module's docstring); ShiftError when not understood."""
    if not words or len(words) % 2:
        raise ShiftError("stations.bad_shift", given=" ".join(words)[:60])
    found: set[Shift] = set()
    for days_word, hours_word in zip(words[::2], words[1::2], strict=True):
        start, end = parse_hours(hours_word)
        found |= {Shift(day, start, end) for day in parse_days(days_word, day_names)}
    return sorted(found)


def parse_hours(word: str) -> tuple[int, int]:
    """`08:00-20:00` as minutes after midnight (start, end)."""
    match = HOURS.match(_plain(word))
    if match is None:
        raise ShiftError("stations.bad_hours", given=word[:30])
    hour1, minute1, hour2, minute2 = (int(part) for part in match.groups())
    start, end = hour1 * 60 + minute1, hour2 * 60 + minute2
    if hour1 > 23 or minute1 > 59 or minute2 > 59 or end > DAY or start == end:
        raise ShiftError("stations.bad_hours", given=word[:30])
    return start, end % DAY  # 00:00-24:00 is (0, 0): the whole day


def parse_days(word: str, day_names: Mapping[str, tuple[int, ...]]) -> list[int]:
    """`mon-fri`, `sat,sun`, `1-5`, `daily` (words in any catalogue's language) as weekdays."""
    days: list[int] = []
    for part in _plain(word).split(","):
        match = RANGE.match(part)
        if match is None:
            days += _day_names(part, day_names, word)
            continue
        first, last = (_one_day(end, day_names, word) for end in match.groups())
        days += [(first - 1 + step) % WEEK + 1 for step in range((last - first) % WEEK + 1)]
    return sorted(set(days))


def _one_day(part: str, day_names: Mapping[str, tuple[int, ...]], word: str) -> int:
    days = _day_names(part, day_names, word)
    if len(days) != 1:  # a range runs from one day to another
        raise ShiftError("stations.bad_days", given=word[:30])
    return days[0]


def _day_names(part: str, day_names: Mapping[str, tuple[int, ...]], word: str) -> list[int]:
    if part.isdigit() and 1 <= int(part) <= WEEK:
        return [int(part)]
    if part in day_names:
        return list(day_names[part])
    raise ShiftError("stations.bad_days", given=word[:30])


def day_names(catalogue: Catalogue) -> dict[str, tuple[int, ...]]:
    """The weekday words of every catalogue (`stations.shift_day_N`, `stations.shift_daily`:
    words separated by spaces), lower case."""
    names: dict[str, tuple[int, ...]] = {}
    for key, days in [(f"stations.shift_day_{n}", (n,)) for n in range(1, WEEK + 1)] + [
        ("stations.shift_daily", tuple(range(1, WEEK + 1)))
    ]:
        for text in catalogue.every(key):
            names.update({_plain(word): days for word in text.split()})
    return names


def _plain(word: str) -> str:
    """Full-width digits, colons, commas and dashes as plain ones, lower case."""
    return unicodedata.normalize("NFKC", word).strip().lower().replace("\u2013", "-")


def describe(shifts: Sequence[Shift], t: Translator) -> str:
    """The shifts as `周一、周二 08:00–20:00`, one group of days per hours (none: a dash)."""
    hours: dict[tuple[int, int], list[int]] = {}
    for shift in sorted(shifts):
        hours.setdefault((shift.start, shift.end), []).append(shift.weekday)
    return (
        t("stations.shift_separator").join(
            t(
                "stations.shift",
                days=t("list.separator").join(t(f"duties.weekday_{day}") for day in days),
                start=_clock(start),
                end=_clock(end if end else DAY),
            )
            for (start, end), days in hours.items()
        )
        or "—"
    )


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
