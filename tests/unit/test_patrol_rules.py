"""A duty may require a patrol track: `track: true` in the duties file (off unless said)."""

from __future__ import annotations

from bot.duties.register import parse

FILE = """
duties:
  - name: 一网格日巡
    who: officer
    area: JN01-1
    rhythm: daily
    track: true
    checklist:
      - {zh: 消防通道, en: Fire lanes}
  - name: 社区半月查
    who: lead
    area: JN01
    rhythm: half_month
    checklist:
      - {zh: 出租房, en: Rented housing}
"""


def test_a_duty_requires_a_track_only_when_its_file_says_so() -> None:
    patrol, check = parse(FILE)
    assert (patrol["track"], check["track"]) == (True, False)
