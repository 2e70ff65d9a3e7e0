"""Reporting periods: whole local days, half-open in UTC, and polite refusals."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from bot.errors import PoliteError
from bot.timing import periods

SHANGHAI = ZoneInfo("Asia/Shanghai")
TODAY = date(2026, 11, 18)  # a Wednesday


def test_default_is_this_month_to_date_and_keeps_the_area() -> None:
    period, rest = periods.parse(["JN01"], TODAY, SHANGHAI)
    assert (period.first_day, period.last_day) == (date(2026, 11, 1), TODAY)
    assert rest == ["JN01"]


def test_local_days_become_utc_bounds() -> None:
    period, _ = periods.parse(["today"], TODAY, SHANGHAI)
    assert period.start == datetime(2026, 11, 17, 16, 0, tzinfo=UTC)
    assert period.end == datetime(2026, 11, 18, 16, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("words", "first", "last"),
    [
        (["week"], date(2026, 11, 16), TODAY),
        (["本周"], date(2026, 11, 16), TODAY),
        (["2026-02"], date(2026, 2, 1), date(2026, 2, 28)),
        (["2024-2"], date(2024, 2, 1), date(2024, 2, 29)),
        (["2026-12"], date(2026, 12, 1), date(2026, 12, 31)),
        (["2026-10-01", "2026-10-15"], date(2026, 10, 1), date(2026, 10, 15)),
        (["2026-9-1", "2026-9-1"], date(2026, 9, 1), date(2026, 9, 1)),
    ],
)
def test_named_periods(words: list[str], first: date, last: date) -> None:
    period, rest = periods.parse([*words, "JN"], TODAY, SHANGHAI)
    assert (period.first_day, period.last_day, rest) == (first, last, ["JN"])
    assert len(period.days) == (last - first).days + 1


def test_previous_month_across_a_year() -> None:
    period = periods.previous_month(date(2027, 1, 1), SHANGHAI)
    assert (period.first_day, period.last_day) == (date(2026, 12, 1), date(2026, 12, 31))


@pytest.mark.parametrize(
    "words",
    [["2026-13"], ["2026-10-01"], ["2026-10-15", "2026-10-01"], ["2026-02-30", "2026-03-01"]],
)
def test_bad_periods_are_refused_politely(words: list[str]) -> None:
    with pytest.raises(PoliteError) as refused:
        periods.parse(words, TODAY, SHANGHAI)
    assert refused.value.key == "period.bad"
