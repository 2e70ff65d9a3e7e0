"""Working-time deadlines across weekends, Golden Week 2026 and its make-up day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.timing import working_time
from bot.timing.working_time import deadline, is_workday

CN = ZoneInfo("Asia/Shanghai")


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=CN)


def test_the_calendar_knows_golden_week_and_its_make_up_day() -> None:
    assert not is_workday(at("2026-10-01T00:00").date())  # National Day
    assert not is_workday(at("2026-10-07T00:00").date())
    assert is_workday(at("2026-10-08T00:00").date())  # the holiday is October 1–7
    assert is_workday(at("2026-10-10T00:00").date())  # a Saturday, made a working day (调休)
    assert not is_workday(at("2026-10-11T00:00").date())


def test_an_unknown_year_falls_back_to_weekdays(caplog: pytest.LogCaptureFixture) -> None:
    working_time._warned.discard(2031)
    assert is_workday(at("2031-03-03T00:00").date())  # a Monday
    assert not is_workday(at("2031-03-01T00:00").date())  # a Saturday
    assert "no holiday calendar for 2031" in caplog.text


@pytest.mark.parametrize(
    ("start", "minutes", "due"),
    [
        ("2026-11-23T10:00", 120, "2026-11-23T12:00"),  # Monday morning: plain
        ("2026-11-23T16:30", 120, "2026-11-24T09:30"),  # one hour left today, one tomorrow
        ("2026-11-23T20:00", 240, "2026-11-24T12:30"),  # filed at night: from the next opening
        ("2026-11-27T17:00", 120, "2026-11-30T10:00"),  # Friday evening: Monday
        ("2026-11-28T11:00", 24 * 60, "2026-12-01T08:30"),  # Saturday: counts from Monday 08:30
        ("2026-11-23T10:00", 72 * 60, "2026-11-26T10:00"),  # three working days
        ("2026-09-30T10:00", 24 * 60, "2026-10-08T10:00"),  # across Golden Week
        ("2026-09-30T16:00", 240, "2026-10-08T11:00"),  # 1.5 h before, 2.5 h after the holiday
        ("2026-10-09T10:00", 24 * 60, "2026-10-10T10:00"),  # the make-up Saturday works
        ("2026-10-01T09:00", 7 * 24 * 60, "2026-10-16T08:30"),  # from 8th 08:30: 9, 10, 12–16
    ],
)
def test_working_time_deadlines(start: str, minutes: int, due: str) -> None:
    assert deadline(at(start), minutes, CN) == at(due)


def test_urgent_counts_clock_time() -> None:
    start = at("2026-10-01T23:00")
    assert deadline(start, 30, CN, urgent=True) == start + timedelta(minutes=30)


def test_the_result_keeps_the_callers_zone() -> None:
    start = at("2026-11-23T10:00").astimezone(UTC)
    due = deadline(start, 60, CN)
    assert due.tzinfo == UTC
    assert due == at("2026-11-23T11:00")
