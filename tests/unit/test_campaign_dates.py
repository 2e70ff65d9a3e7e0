"""Campaign phases with dates as clerks write them; what cannot be read is refused, not guessed."""

from __future__ import annotations

from datetime import date

import pytest

from bot.errors import PoliteError
from bot.notices.campaigns import parse_phases

TODAY = date(2026, 12, 3)


@pytest.mark.parametrize(
    ("line", "start", "end"),
    [
        ("动员 2026-12-03 2026-12-09", date(2026, 12, 3), date(2026, 12, 9)),
        ("动员 2026-12-3 至 2026-12-9", date(2026, 12, 3), date(2026, 12, 9)),
        ("动员 12月3日至12月9日", date(2026, 12, 3), date(2026, 12, 9)),
        ("动员 12月3号到9号", date(2026, 12, 3), date(2026, 12, 9)),
        ("动员 12/3-12/9", date(2026, 12, 3), date(2026, 12, 9)),
        ("动员 2026/12/3 ~ 2026/12/9", date(2026, 12, 3), date(2026, 12, 9)),
        ("动员 2026年12月3日～2027年1月9日", date(2026, 12, 3), date(2027, 1, 9)),
        ("动员 12/28-1/5", date(2026, 12, 28), date(2027, 1, 5)),  # over the new year
        ("动员 1月5日至1月9日", date(2027, 1, 5), date(2027, 1, 9)),  # January: the coming one
    ],
)
def test_dates_as_people_write_them(line: str, start: date, end: date) -> None:
    [phase] = parse_phases(line, TODAY)
    assert (phase.name, phase.start, phase.end) == ("动员", start, end)


@pytest.mark.parametrize(
    "line", ["动员 12-3-12-9", "动员 13/40 到 12/9", "动员 明天", "动员 9日至12月9日"]
)
def test_what_cannot_be_read_is_refused(line: str) -> None:
    with pytest.raises(PoliteError):
        parse_phases(line, TODAY)
