"""The periods of routine duties: each rhythm's start, month ends and half months."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.duties.rhythm import current, period_start, valid_day
from storage.models import Rhythm

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_daily_is_today() -> None:
    assert period_start(Rhythm.DAILY, 1, date(2026, 12, 3)) == date(2026, 12, 3)


@pytest.mark.parametrize(
    ("today", "weekday", "start"),
    [
        (date(2026, 12, 3), 4, date(2026, 12, 3)),  # a Thursday, weekly on Thursdays
        (date(2026, 12, 3), 1, date(2026, 11, 30)),  # Monday before
        (date(2026, 12, 3), 5, date(2026, 11, 27)),  # Friday: last week's
        (date(2026, 12, 6), 7, date(2026, 12, 6)),  # Sunday
        (date(2027, 1, 1), 3, date(2026, 12, 30)),  # across a year
    ],
)
def test_weekly_on_a_weekday(today: date, weekday: int, start: date) -> None:
    assert period_start(Rhythm.WEEKLY, weekday, today) == start


@pytest.mark.parametrize(
    ("today", "start"),
    [
        (date(2026, 2, 1), date(2026, 2, 1)),
        (date(2026, 2, 15), date(2026, 2, 1)),
        (date(2026, 2, 16), date(2026, 2, 16)),
        (date(2026, 2, 28), date(2026, 2, 16)),
        (date(2026, 12, 31), date(2026, 12, 16)),
    ],
)
def test_half_months(today: date, start: date) -> None:
    assert period_start(Rhythm.HALF_MONTH, 1, today) == start


@pytest.mark.parametrize(
    ("today", "day", "start"),
    [
        (date(2026, 12, 3), 3, date(2026, 12, 3)),
        (date(2026, 12, 2), 3, date(2026, 11, 3)),
        (date(2026, 1, 2), 3, date(2025, 12, 3)),  # across a year
        (date(2026, 2, 28), 31, date(2026, 2, 28)),  # February has no 31st: its last day
        (date(2026, 2, 27), 31, date(2026, 1, 31)),
        (date(2024, 2, 29), 30, date(2024, 2, 29)),  # a leap year
        (date(2026, 3, 30), 31, date(2026, 2, 28)),
        (date(2026, 4, 30), 31, date(2026, 4, 30)),  # April's last day
    ],
)
def test_monthly_by_day_n(today: date, day: int, start: date) -> None:
    assert period_start(Rhythm.MONTHLY, day, today) == start


def test_periods_follow_the_local_date() -> None:
    """17:00 UTC on the 2nd is already the 3rd in Shanghai."""
    now = datetime(2026, 12, 2, 17, 0, tzinfo=UTC)
    start, begins, due = current(Rhythm.MONTHLY, 3, 72, now, SHANGHAI)
    assert start == date(2026, 12, 3)
    assert begins == datetime(2026, 12, 2, 16, 0, tzinfo=UTC)
    assert due - begins == timedelta(hours=72)


def test_valid_days() -> None:
    assert valid_day(Rhythm.WEEKLY, 7)
    assert not valid_day(Rhythm.WEEKLY, 8)
    assert valid_day(Rhythm.MONTHLY, 31)
    assert not valid_day(Rhythm.MONTHLY, 0)
