"""Report duties' figures: each typed value read as a whole number from 0 to its ceiling, the
filed set complete, and the duties file's report field checked with its own error."""

from __future__ import annotations

import pytest

from bot.duties import reports
from bot.duties.register import DutyFileError, parse
from bot.duties.reports import FigureError
from storage.models import Duty, Rhythm, Role

FIGURES = [
    {"name": "places", "zh": "检查场所数", "en": "Places checked", "most": 500},
    {"name": "found", "zh": "发现隐患数", "en": "Hazards found", "most": 1000},
]
FILE = """
duties:
  - name: 月报
    who: lead
    area: JN01
    rhythm: monthly
    day: 1
    checklist:
      - {zh: 汇总, en: Sum up}
    report:
      - {name: places, zh: 检查场所数, en: Places checked, type: int, most: 500}
      - {name: found, zh: 发现隐患数, en: Hazards found}
"""


def _duty() -> Duty:
    return Duty(name="月报", role=Role.LEAD, rhythm=Rhythm.MONTHLY, checklist=[], report=FIGURES)


@pytest.mark.parametrize(("text", "value"), [("12", 12), (" 0 ", 0), ("1,200", None), ("500", 500)])
def test_a_typed_figure(text: str, value: int | None) -> None:
    if value is None:
        with pytest.raises(FigureError) as refused:
            reports.read(FIGURES[0], text)
        assert refused.value.key == "duties.figure_too_large"
        return
    assert reports.read(FIGURES[0], text) == value


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("twelve", "duties.figure_not_number"),
        ("1.5", "duties.figure_not_number"),
        ("", "duties.figure_not_number"),
        ("-3", "duties.figure_negative"),
        ("501", "duties.figure_too_large"),
        ("9" * 40, "duties.figure_too_large"),
    ],
)
def test_bad_figures_are_answered(text: str, key: str) -> None:
    with pytest.raises(FigureError) as refused:
        reports.read(FIGURES[0], text)
    assert refused.value.key == key


def test_the_filed_figures_are_complete_and_valid() -> None:
    duty = _duty()
    assert reports.checked(duty, {"places": 12, "found": 3, "extra": 9}) == {
        "places": 12,
        "found": 3,
    }
    for bad in (None, {"places": 12}, {"places": 12, "found": -1}, {"places": True, "found": 1}):
        with pytest.raises(FigureError):
            reports.checked(duty, bad)
    plain = Duty(name="巡查", role=Role.OFFICER, rhythm=Rhythm.DAILY, checklist=[], report=[])
    assert reports.checked(plain, None) is None


def test_labels_in_the_readers_language() -> None:
    assert reports.label(FIGURES[0], "en") == "Places checked"
    assert reports.label(FIGURES[0], "zh") == "检查场所数"


def test_the_report_field_of_the_duties_file() -> None:
    [duty] = parse(FILE)
    assert [figure["name"] for figure in duty["report"]] == ["places", "found"]
    assert duty["report"][1]["most"] == 1_000_000


@pytest.mark.parametrize(
    ("text", "field"),
    [
        (FILE.replace("name: found", "name: places"), "report: each name once"),
        (FILE.replace("name: found", "name: Found!"), "report: name"),
        (FILE.replace(", en: Hazards found", ""), "report found: zh, en"),
        (FILE.replace("type: int, most: 500", "type: float"), "report places: type int"),
        (FILE.replace("most: 500", "most: 0"), "report places: most"),
        (FILE.replace("most: 500", "most: '5'"), "report places: most"),
        (FILE.split("    report:")[0] + "    report: 3\n", "report: 1-10"),
    ],
)
def test_a_bad_report_field_names_itself(text: str, field: str) -> None:
    with pytest.raises(DutyFileError) as refused:
        parse(text)
    assert str(refused.value.values["what"]).startswith(field)


def test_a_volunteer_duty_names_its_group() -> None:
    text = FILE.replace("who: lead\n    area: JN01", "who: volunteer\n    group: JN01-G1")
    [duty] = parse(text)
    assert (duty["role"], duty["group"]) == (Role.VOLUNTEER, "JN01-G1")
    for bad in (
        FILE.replace("who: lead\n    area: JN01", "who: volunteer"),
        FILE.replace("area: JN01", "area: JN01\n    group: JN01-G1"),
    ):
        with pytest.raises(DutyFileError) as refused:
            parse(bad)
        assert str(refused.value.values["what"]).startswith("group")
