"""When reminders and escalations are due, and quiet hours, with a controllable clock."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.deadlines.escalation import Step, step_due
from bot.timing.quiet_hours import in_quiet_hours

START = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
DUE = START + timedelta(minutes=30)
SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize(
    ("minutes", "step"),
    [
        (0, None),
        (14, None),
        (15, Step.REMIND_HALF),
        (27, Step.REMIND_LATE),
        (30, Step.TO_LEAD),
        (59, Step.TO_LEAD),
        (60, Step.TO_STREET),
        (600, Step.TO_STREET),
    ],
)
def test_steps_by_share_of_the_allowed_time(minutes: int, step: Step | None) -> None:
    assert step_due(START, DUE, START + timedelta(minutes=minutes)) == step


def test_a_deadline_with_no_time_allowed() -> None:
    assert step_due(START, START, START) == Step.TO_STREET
    assert step_due(START, START, START - timedelta(seconds=1)) is None


@pytest.mark.parametrize(
    ("local", "quiet"),
    [
        ("21:59", False),
        ("22:00", True),
        ("03:00", True),
        ("06:59", True),
        ("07:00", False),
        ("12:00", False),
    ],
)
def test_overnight_quiet_hours_in_shanghai_time(local: str, quiet: bool) -> None:
    hour, minute = map(int, local.split(":"))
    moment = datetime(2026, 11, 23, hour, minute, tzinfo=SHANGHAI)
    assert in_quiet_hours(moment, (time(22), time(7)), SHANGHAI) is quiet


def test_daytime_quiet_hours_and_none() -> None:
    lunch = (time(12), time(13, 30))
    assert in_quiet_hours(datetime(2026, 1, 1, 12, 30, tzinfo=SHANGHAI), lunch, SHANGHAI)
    assert not in_quiet_hours(datetime(2026, 1, 1, 14, 0, tzinfo=SHANGHAI), lunch, SHANGHAI)
    assert not in_quiet_hours(datetime(2026, 1, 1, 3, 0, tzinfo=SHANGHAI), None, SHANGHAI)
