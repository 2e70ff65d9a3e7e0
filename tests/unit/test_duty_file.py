"""The duties file: what it takes, and every bad one refused before anything is saved."""

from __future__ import annotations

import pytest

from bot.duties.register import DutyFileError, parse
from storage.models import Rhythm, Role

GOOD = """
duties:
  - name: 社区半月查
    who: lead
    area: JN01
    rhythm: half_month
    checklist:
      - {zh: 出租房, en: Rented housing}
"""


def test_a_good_file() -> None:
    [duty] = parse(GOOD)
    assert (duty["role"], duty["rhythm"], duty["area"]) == (Role.LEAD, Rhythm.HALF_MONTH, "JN01")
    assert (duty["day"], duty["deadline_hours"], duty["photos"]) == (1, 24, False)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "duties: [",
        "duties: []",
        "- name: x",
        GOOD.replace("who: lead", "who: resident"),
        GOOD.replace("who: lead", "who: boss"),
        GOOD.replace("rhythm: half_month", "rhythm: hourly"),
        GOOD.replace("rhythm: half_month", "rhythm: weekly\n    day: 8"),
        GOOD.replace("rhythm: half_month", "rhythm: monthly\n    day: 32"),
        GOOD.replace("rhythm: half_month", "rhythm: daily\n    deadline_hours: 0"),
        GOOD.replace("rhythm: half_month", "rhythm: daily\n    deadline_hours: '5'"),
        GOOD.replace("{zh: 出租房, en: Rented housing}", "{zh: 出租房}"),
        GOOD.replace("      - {zh: 出租房, en: Rented housing}", "      []"),
        GOOD.replace("name: 社区半月查", "name: ''"),
    ],
)
def test_bad_files_are_refused(text: str) -> None:
    with pytest.raises(DutyFileError):
        parse(text)
