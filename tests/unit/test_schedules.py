"""Schedules: the next run of every kind of repetition, month ends, the time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import PoliteError
from bot.notices.schedules import Repeat, Schedule, parse

SHANGHAI = ZoneInfo("Asia/Shanghai")


def local(*args: int) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)  # type: ignore[misc]


NOW = local(2026, 11, 24, 10, 0)  # a Tuesday


def test_once_is_read_in_the_street_time_zone() -> None:
    schedule = parse(Repeat.ONCE, "2026-11-28 09:00", NOW, SHANGHAI)
    run = schedule.next_after(NOW, SHANGHAI)
    assert run == local(2026, 11, 28, 9, 0)
    assert run is not None
    assert run.astimezone(UTC).hour == 1
    assert schedule.next_after(run, SHANGHAI) is None  # once means once


def test_once_in_the_past_is_refused() -> None:
    with pytest.raises(PoliteError) as raised:
        parse(Repeat.ONCE, "2026-11-24 09:59", NOW, SHANGHAI)
    assert raised.value.key == "when.in_the_past"


def test_daily_runs_today_if_the_time_is_still_ahead_else_tomorrow() -> None:
    schedule = parse(Repeat.DAILY, "10:30", NOW, SHANGHAI)
    assert schedule.next_after(NOW, SHANGHAI) == local(2026, 11, 24, 10, 30)
    assert schedule.next_after(local(2026, 11, 24, 10, 30), SHANGHAI) == local(2026, 11, 25, 10, 30)
    assert parse(Repeat.DAILY, "9：00", NOW, SHANGHAI).spec == "09:00"  # full-width colon


def test_weekly_on_a_weekday() -> None:
    schedule = parse(Repeat.WEEKLY, "1 08:00", NOW, SHANGHAI)  # Mondays
    assert schedule.next_after(NOW, SHANGHAI) == local(2026, 11, 30, 8, 0)
    same_day = Schedule(Repeat.WEEKLY, "2 11:00")
    assert same_day.next_after(NOW, SHANGHAI) == local(2026, 11, 24, 11, 0)


def test_monthly_on_the_15th() -> None:
    schedule = parse(Repeat.MONTHLY, "15 09:00", NOW, SHANGHAI)
    assert schedule.next_after(NOW, SHANGHAI) == local(2026, 12, 15, 9, 0)
    assert schedule.next_after(local(2026, 12, 15, 9, 0), SHANGHAI) == local(2027, 1, 15, 9, 0)


def test_monthly_on_the_31st_runs_on_the_last_day_of_short_months() -> None:
    schedule = Schedule(Repeat.MONTHLY, "31 09:00")
    runs, at = [], local(2027, 1, 1)
    for _ in range(4):
        at = schedule.next_after(at, SHANGHAI)  # type: ignore[assignment]
        runs.append(at.date().isoformat())
    assert runs == ["2027-01-31", "2027-02-28", "2027-03-31", "2027-04-30"]
    leap = Schedule(Repeat.MONTHLY, "30 09:00").next_after(local(2028, 2, 1), SHANGHAI)
    assert leap == local(2028, 2, 29, 9, 0)


def test_cron_weekdays_as_cron_reads_them() -> None:
    sundays = parse(Repeat.CRON, "0 9 * * 0", NOW, SHANGHAI)
    assert sundays.next_after(NOW, SHANGHAI) == local(2026, 11, 29, 9, 0)
    workdays = parse(Repeat.CRON, "30 8 * * 1-5", NOW, SHANGHAI)
    assert workdays.next_after(NOW, SHANGHAI) == local(2026, 11, 25, 8, 30)
    every_other = parse(Repeat.CRON, "0 */2 * * *", NOW, SHANGHAI)
    assert every_other.next_after(NOW, SHANGHAI) == local(2026, 11, 24, 12, 0)


def test_cron_in_another_time_zone() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    schedule = parse(Repeat.CRON, "0 9 15 * *", NOW, berlin)
    run = schedule.next_after(NOW, berlin)
    assert run is not None
    assert run.astimezone(UTC) == datetime(2026, 12, 15, 8, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("repeat", "text"),
    [
        (Repeat.ONCE, "next saturday"),
        (Repeat.ONCE, "2026-13-01 09:00"),
        (Repeat.DAILY, "25:00"),
        (Repeat.WEEKLY, "8 09:00"),
        (Repeat.WEEKLY, "09:00"),
        (Repeat.MONTHLY, "32 09:00"),
        (Repeat.CRON, "0 9 * *"),
        (Repeat.CRON, "0 25 * * *"),
    ],
)
def test_bad_specs_name_the_expected_form(repeat: Repeat, text: str) -> None:
    with pytest.raises(PoliteError) as raised:
        parse(repeat, text, NOW, SHANGHAI)
    assert raised.value.key == f"when.bad_{repeat.value}"
