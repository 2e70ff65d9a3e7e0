"""What admins type: category deadlines, /find queries, and long answers split by line."""

from __future__ import annotations

import pytest

from bot.cases import find
from bot.categories.table import duration
from bot.errors import PoliteError
from bot.texts import Catalogue, Translator
from handlers.common.long_text import chunks
from storage.models import CaseStatus

ZH = Catalogue.load().translator("zh")
EN = Catalogue.load().translator("en")


def parse(text: str, t: Translator = ZH) -> find.Query:
    return find.parse(text, t)


@pytest.mark.parametrize(
    ("text", "minutes"), [("30m", 30), ("45min", 45), ("4h", 240), ("3D", 4320), ("365d", 525600)]
)
def test_durations(text: str, minutes: int) -> None:
    assert duration(text) == minutes


@pytest.mark.parametrize("text", ["", "soon", "0m", "366d", "1.5h", "-3d", "3 weeks"])
def test_bad_durations_are_refused(text: str) -> None:
    with pytest.raises(PoliteError) as refused:
        duration(text)
    assert refused.value.key == "categories.bad_duration"


def test_a_query_combines_numbers_words_and_filters() -> None:
    query = parse("jn-000007 纸箱 Status:accepted area：JN01 category:fire 楼道 status:new")
    assert query.numbers == ["JN-000007"]
    assert query.words == ["纸箱", "楼道"]
    assert query.statuses == {CaseStatus.ACCEPTED, CaseStatus.NEW}
    assert (query.area, query.category) == ("JN01", "fire")


def test_open_means_every_open_status_and_unknown_filters_are_words() -> None:
    query = parse("status:open colour:red")
    assert query.statuses == {CaseStatus.NEW, CaseStatus.ACCEPTED, CaseStatus.RESOLVED}
    assert query.words == ["colour:red"]


@pytest.mark.parametrize(("text", "key"), [("", "find.usage"), ("status:draft", "find.bad_status")])
def test_bad_queries_are_refused(text: str, key: str) -> None:
    with pytest.raises(PoliteError) as refused:
        parse(text)
    assert refused.value.key == key


def test_filters_and_statuses_may_be_typed_in_chinese() -> None:
    query = parse("状态:待受理 状态：办理中 区域:JN01 类别:火灾隐患 楼道")
    assert query.statuses == {CaseStatus.NEW, CaseStatus.ACCEPTED}
    assert (query.area, query.category, query.words) == ("JN01", "火灾隐患", ["楼道"])
    assert parse("状态:未办结").statuses == find.OPEN
    assert parse("status:已办结", EN).statuses == {CaseStatus.CLOSED}  # any language, any name
    assert parse("社区:JN01").area == "JN01"


def test_a_bad_status_lists_what_the_person_can_type() -> None:
    with pytest.raises(PoliteError) as chinese:
        parse("状态:丢了")
    choices = str(chinese.value.values["choices"])
    assert choices.startswith("未办结、待受理、办理中")
    for word in choices.split("、"):
        assert parse(f"状态:{word}").statuses  # each one listed is understood
    with pytest.raises(PoliteError) as english:
        parse("status:lost", EN)
    listed = str(english.value.values["choices"]).split(", ")
    assert listed[:3] == ["open", "waiting", "accepted"]  # "in progress" has a space
    for word in listed:
        assert parse(f"status:{word}", EN).statuses


def test_long_answers_are_split_between_lines() -> None:
    lines = ["<b>title</b>", "a" * 6, "b" * 6, "c" * 3]
    assert chunks(lines, limit=14) == ["<b>title</b>", "aaaaaa\nbbbbbb", "ccc"]
    assert chunks([], limit=14) == []
