"""Cron rhythms of routine duties: each firing is one period (at most one a day), due
`deadline_hours` after it; the duties file names the field that is wrong."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.duties.register import DutyFileError, parse
from bot.duties.rhythm import period_of, valid_cron
from bot.timing.cron import last_at_or_before, next_after
from storage.models import Duty, Rhythm, Role

SHANGHAI = ZoneInfo("Asia/Shanghai")
CRON = """
duties:
  - name: 工作日早查
    who: officer
    area: JN01-1
    rhythm: cron
    cron: "30 8 * * 1-5"
    deadline_hours: 4
    checklist:
      - {zh: 消防通道, en: Fire lanes}
"""


def _duty(cron: str, hours: int = 4) -> Duty:
    return Duty(
        name="d",
        role=Role.OFFICER,
        rhythm=Rhythm.CRON,
        day=1,
        cron=cron,
        deadline_hours=hours,
        checklist=[],
    )


def test_a_firing_starts_a_period_due_hours_after_it() -> None:
    # Friday 2026-12-04 10:00 in Shanghai: this morning's 08:30 firing.
    now = datetime(2026, 12, 4, 2, 0, tzinfo=UTC)
    period = period_of(_duty("30 8 * * 1-5"), now, SHANGHAI)
    assert period is not None
    start, begins, due = period
    assert start == date(2026, 12, 4)
    assert begins == datetime(2026, 12, 4, 8, 30, tzinfo=SHANGHAI)
    assert due - begins == timedelta(hours=4)


def test_the_weekend_keeps_fridays_period() -> None:
    sunday = datetime(2026, 12, 6, 12, 0, tzinfo=SHANGHAI)
    period = period_of(_duty("30 8 * * 1-5"), sunday, SHANGHAI)
    assert period is not None
    assert period[0] == date(2026, 12, 4)


def test_before_the_firing_of_the_day_the_previous_one_holds() -> None:
    early = datetime(2026, 12, 3, 8, 29, tzinfo=SHANGHAI)
    assert last_at_or_before("30 8 * * *", early, SHANGHAI) == datetime(
        2026, 12, 2, 8, 30, tzinfo=SHANGHAI
    )
    assert next_after("30 8 * * *", early, SHANGHAI) == datetime(
        2026, 12, 3, 8, 30, tzinfo=SHANGHAI
    )


def test_a_yearly_firing_is_found_months_back() -> None:
    now = datetime(2026, 12, 3, tzinfo=SHANGHAI)
    assert last_at_or_before("0 9 3 3 *", now, SHANGHAI) == datetime(
        2026, 3, 3, 9, 0, tzinfo=SHANGHAI
    )


def test_no_firing_yet_gives_no_period() -> None:
    now = datetime(2026, 12, 3, tzinfo=SHANGHAI)
    assert period_of(_duty("0 9 30 2 *"), now, SHANGHAI) is None  # never fires


@pytest.mark.parametrize(
    ("expression", "valid"),
    [
        ("0 8 * * 1-5", True),
        ("0 9 3 * *", True),
        ("*/5 8 * * *", False),  # several a day: one occurrence a day is the key
        ("0 8,20 * * *", False),
        ("0 8 * *", False),
        ("0 25 * * *", False),
        ("0 8 * * mon-xyz", False),
    ],
)
def test_valid_crons(expression: str, valid: bool) -> None:
    assert valid_cron(expression) is valid


def test_a_cron_duty_in_the_file() -> None:
    [duty] = parse(CRON)
    assert (duty["rhythm"], duty["cron"]) == (Rhythm.CRON, "30 8 * * 1-5")


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (CRON.replace('    cron: "30 8 * * 1-5"\n', ""), "cron"),
        (CRON.replace("30 8 * * 1-5", "*/5 8 * * *"), "cron"),
        (CRON.replace("30 8 * * 1-5", "30 8 * *"), "cron"),
        (CRON.replace("rhythm: cron", "rhythm: daily"), "cron: only"),
    ],
)
def test_a_bad_cron_names_its_field(text: str, field: str) -> None:
    with pytest.raises(DutyFileError) as refused:
        parse(text)
    assert refused.value.key == "duties.bad_file"
    assert str(refused.value.values["what"]).startswith(field)
