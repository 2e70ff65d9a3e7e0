"""Reporting periods: `today`, `week`, `month`, `YYYY-MM`, or `FROM TO` dates, in local time.

A period is a half-open UTC interval [start, end) covering whole local days; `last_day` is the
last day it covers (inclusive), for titles and file names.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from functools import cache

from bot.errors import PoliteError
from bot.texts import Catalogue

NAMES = ("today", "week", "month")  # their words in either language: `period.word_<name>`
MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
DAY = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}$")
LONGEST_DAYS = 366 * 3


@dataclass(frozen=True)
class Period:
    first_day: date
    last_day: date  # inclusive
    tz: tzinfo

    @property
    def start(self) -> datetime:
        return _utc(self.first_day, self.tz)

    @property
    def end(self) -> datetime:
        return _utc(self.last_day + timedelta(days=1), self.tz)

    @property
    def days(self) -> list[date]:
        count = (self.last_day - self.first_day).days + 1
        return [self.first_day + timedelta(days=n) for n in range(count)]

    @property
    def label(self) -> str:
        if self.first_day == self.last_day:
            return self.first_day.isoformat()
        return f"{self.first_day.isoformat()} – {self.last_day.isoformat()}"


def _utc(day: date, tz: tzinfo) -> datetime:
    return datetime.combine(day, time(0, 0), tzinfo=tz).astimezone(UTC)


def month_of(year: int, month: int, tz: tzinfo) -> Period:
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise PoliteError("period.bad", given=f"{year}-{month}")
    first = date(year, month, 1)
    following = date(year + month // 12, month % 12 + 1, 1)
    return Period(first, following - timedelta(days=1), tz)


def previous_month(today: date, tz: tzinfo) -> Period:
    last = today.replace(day=1) - timedelta(days=1)
    return month_of(last.year, last.month, tz)


def parse(words: list[str], today: date, tz: tzinfo) -> tuple[Period, list[str]]:
    """The period named at the start of `words` (default: this month) and the words left over."""
    if not words:
        return named("month", today, tz), []
    first = words[0].lower()
    if word := _catalogue().sub_command("period", first, NAMES):
        return named(word, today, tz), words[1:]
    if match := MONTH.match(first):
        return month_of(int(match[1]), int(match[2]), tz), words[1:]
    if DAY.match(first):
        if len(words) < 2 or not DAY.match(words[1]):
            raise PoliteError("period.bad", given=words[0])
        return between(_day(words[0]), _day(words[1]), tz), words[2:]
    return named("month", today, tz), words


def named(word: str, today: date, tz: tzinfo) -> Period:
    if word == "today":
        return Period(today, today, tz)
    if word == "week":
        return Period(today - timedelta(days=today.weekday()), today, tz)
    return Period(today.replace(day=1), today, tz)


def between(first: date, last: date, tz: tzinfo) -> Period:
    if last < first or (last - first).days > LONGEST_DAYS:
        raise PoliteError("period.bad", given=f"{first.isoformat()} {last.isoformat()}")
    return Period(first, last, tz)


@cache
def _catalogue() -> Catalogue:
    return Catalogue.load()


def _day(word: str) -> date:
    try:
        return date.fromisoformat("-".join(part.zfill(2) for part in word.split("-")))
    except ValueError:
        raise PoliteError("period.bad", given=word) from None
