"""The register's pure rules: deadlines met or missed, overdue on the map, file names, and
text that a spreadsheet would run as a formula."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.figures.maps import is_overdue
from bot.register.export import Deadline, Format, accept_deadline, file_name, resolve_deadline
from bot.register.sheets import defused
from bot.timing.periods import month_of
from storage.models import CaseStatus as S

DUE = datetime(2026, 10, 3, 12, 0, tzinfo=UTC)
EARLY, LATE = DUE - timedelta(minutes=1), DUE + timedelta(minutes=1)


@pytest.mark.parametrize(
    ("status", "accepted", "closed", "now", "expected"),
    [
        (S.ACCEPTED, DUE, None, LATE, Deadline.MET),  # on the minute is in time
        (S.ACCEPTED, LATE, None, LATE, Deadline.MISSED),
        (S.NEW, None, None, EARLY, Deadline.PENDING),
        (S.NEW, None, None, LATE, Deadline.MISSED),
        (S.REJECTED, None, EARLY, LATE, Deadline.MET),  # rejected in time is answered in time
        (S.DUPLICATE, None, LATE, LATE, Deadline.MISSED),
    ],
)
def test_accept_deadline(
    status: S, accepted: datetime | None, closed: datetime | None, now: datetime, expected: Deadline
) -> None:
    assert accept_deadline(status, accepted, closed, DUE, now) == expected


@pytest.mark.parametrize(
    ("status", "resolved", "now", "expected"),
    [
        (S.CLOSED, EARLY, LATE, Deadline.MET),
        (S.RESOLVED, LATE, LATE, Deadline.MISSED),
        (S.ACCEPTED, None, EARLY, Deadline.PENDING),
        (S.ACCEPTED, None, LATE, Deadline.MISSED),
        (S.REJECTED, None, LATE, Deadline.NONE),
        (S.DUPLICATE, None, EARLY, Deadline.NONE),
    ],
)
def test_resolve_deadline(
    status: S, resolved: datetime | None, now: datetime, expected: Deadline
) -> None:
    assert resolve_deadline(status, resolved, DUE, now) == expected


def test_no_deadline_is_not_judged() -> None:
    assert accept_deadline(S.NEW, None, None, None, LATE) == Deadline.NONE


def test_overdue_on_the_map() -> None:
    assert is_overdue(S.NEW, EARLY, None, DUE)
    assert not is_overdue(S.NEW, LATE, EARLY, DUE)
    assert is_overdue(S.ACCEPTED, EARLY, EARLY, DUE)
    assert not is_overdue(S.ACCEPTED, EARLY, LATE, DUE)
    assert not is_overdue(S.RESOLVED, EARLY, EARLY, DUE)  # done, waiting for the reporter


def test_file_names() -> None:
    october = month_of(2026, 10, ZoneInfo("Asia/Shanghai"))
    assert file_name(october, None, Format.XLSX) == "cases_2026-10-01_2026-10-31.xlsx"
    assert file_name(october, "JN01", Format.CSV) == "cases_JN01_2026-10-01_2026-10-31.csv"


def test_formula_looking_text_is_defused() -> None:
    assert defused('=HYPERLINK("x")') == '\'=HYPERLINK("x")'
    assert [defused(v) for v in ("+1", "-1", "@x")] == ["'+1", "'-1", "'@x"]
    assert defused("JN-000001") == "JN-000001"
    assert defused(-1) == -1
