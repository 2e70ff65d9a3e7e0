"""The span of filing times an Open311 requests query searches (the spec: 90 days at most)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from bot.errors import PoliteError
from bot.open311.feed import window

NOW = datetime(2026, 11, 24, 12, tzinfo=UTC)
DAY = timedelta(days=1)


def test_no_dates_mean_the_last_90_days() -> None:
    assert window(None, None, NOW) == (NOW - 90 * DAY, NOW)


def test_one_date_means_90_days_from_or_until_it() -> None:
    start = NOW - 200 * DAY
    assert window(start, None, NOW) == (start, start + 90 * DAY)
    assert window(None, start, NOW) == (start - 90 * DAY, start)


def test_both_dates_are_kept_within_90_days() -> None:
    assert window(NOW - 90 * DAY, NOW, NOW) == (NOW - 90 * DAY, NOW)
    with pytest.raises(PoliteError) as span:
        window(NOW - 91 * DAY, NOW, NOW)
    assert (span.value.key, span.value.values) == ("open311.error.span", {"days": 90})
    with pytest.raises(PoliteError) as order:
        window(NOW, NOW - DAY, NOW)
    assert order.value.key == "open311.error.order"
