"""The categories file's rules: what a file may say, and how each mistake is named."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.categories import spec
from bot.categories.spec import CategoryFileError
from bot.texts import Catalogue

DEMO = Path(__file__).parents[2] / "app" / "demo" / "categories.yaml"


def _category(**fields: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "code": "scrap",
        "name": {"zh": "废旧物品收购", "en": "Scrap-buying shop"},
        "accept": "1d",
        "resolve": "7d",
        "questions": [
            {
                "key": "kind",
                "zh": "是什么问题？",
                "en": "What is the problem?",
                "answers": [
                    {"key": "unlicensed", "zh": "无证收购", "en": "No licence"},
                    {"key": "fire", "zh": "起火", "en": "On fire", "danger_now": True},
                ],
            }
        ],
    }
    return {**base, **fields}


def _problems(*categories: dict[str, Any]) -> list[tuple[str, str, str]]:
    with pytest.raises(CategoryFileError) as raised:
        spec.parse({"categories": list(categories)})
    return [(p.category, p.field, p.key) for p in raised.value.problems]


def test_a_good_category_reads_into_column_values() -> None:
    (row,) = spec.parse({"categories": [_category(order=7, icon="♻️", department="urban")]})
    assert row["code"] == row["service_code"] == "scrap"
    assert (row["accept_minutes"], row["resolve_minutes"]) == (24 * 60, 7 * 24 * 60)
    assert (row["active"], row["urgent"], row["sort_order"], row["icon"]) == (True, False, 7, "♻️")
    assert row["questions"][0]["options"][1] == {
        "key": "fire",
        "zh": "起火",
        "en": "On fire",
        "danger_now": True,
    }
    assert row["national_class"] is None


def test_minutes_may_be_a_number() -> None:
    (row,) = spec.parse([_category(accept=45, resolve=90)])  # a bare list is a file too
    assert (row["accept_minutes"], row["resolve_minutes"]) == (45, 90)


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"code": "Scrap"}, ("Scrap", "code", "catfile.bad_code")),
        ({"code": "a:b"}, ("a:b", "code", "catfile.bad_code")),
        ({"code": None}, ("#1", "code", "catfile.bad_code")),
        ({"service_code": "a b"}, ("scrap", "service_code", "catfile.bad_service_code")),
        ({"name": {"zh": "废品"}}, ("scrap", "name.en", "catfile.needs_text")),
        ({"name": {"zh": "长" * 65, "en": "x"}}, ("scrap", "name.zh", "catfile.too_long")),
        ({"accept": "5y"}, ("scrap", "accept", "catfile.bad_duration")),
        ({"accept": 0}, ("scrap", "accept", "catfile.bad_duration")),
        ({"accept": True}, ("scrap", "accept", "catfile.bad_duration")),
        ({"resolve": "400d"}, ("scrap", "resolve", "catfile.bad_duration")),
        ({"accept": "2d", "resolve": "1d"}, ("scrap", "accept", "catfile.accept_after_resolve")),
        ({"active": "yes"}, ("scrap", "active", "catfile.bad_switch")),
        ({"urgent": 1}, ("scrap", "urgent", "catfile.bad_switch")),
        ({"order": -1}, ("scrap", "order", "catfile.bad_order")),
        ({"department": "d" * 33}, ("scrap", "department", "catfile.too_long")),
        ({"national": "C01"}, ("scrap", "national", "catfile.not_a_mapping")),
        ({"national": {"class": "123456789"}}, ("scrap", "national.class", "catfile.too_long")),
        ({"questions": "kind"}, ("scrap", "questions", "catfile.bad_questions")),
    ],
)
def test_each_mistake_names_its_category_and_field(
    fields: dict[str, Any], problem: tuple[str, str, str]
) -> None:
    assert _problems(_category(**fields)) == [problem]


def _with_answers(*answers: dict[str, Any], key: str = "kind") -> dict[str, Any]:
    return _category(questions=[{"key": key, "zh": "问", "en": "Q", "answers": list(answers)}])


GOOD = {"key": "a", "zh": "甲", "en": "A"}


@pytest.mark.parametrize(
    ("category", "problem"),
    [
        (_with_answers(GOOD), ("scrap", "questions[1].answers", "catfile.bad_answers")),
        (
            _with_answers(GOOD, {"key": "b", "zh": "乙"}),
            ("scrap", "questions[1].answers[2].en", "catfile.needs_text"),
        ),
        (
            _with_answers(GOOD, {**GOOD, "zh": "乙"}),
            ("scrap", "questions[1].answers", "catfile.duplicate"),
        ),
        (
            _with_answers(GOOD, {"key": "B:1", "zh": "乙", "en": "B"}),
            ("scrap", "questions[1].answers[2].key", "catfile.bad_key"),
        ),
        (
            _with_answers(GOOD, {"key": "b", "zh": "乙", "en": "B", "danger_now": "yes"}),
            ("scrap", "questions[1].answers[2].danger_now", "catfile.bad_switch"),
        ),
        (
            _with_answers(GOOD, {"key": "b", "zh": "乙", "en": "B" * 49}),
            ("scrap", "questions[1].answers[2].en", "catfile.too_long"),
        ),
        (
            _with_answers(GOOD, {"key": "b", "zh": "乙", "en": "B"}, key="k" * 21),
            ("scrap", "questions[1].key", "catfile.bad_key"),
        ),
    ],
)
def test_each_mistake_in_a_question_names_where_it_is(
    category: dict[str, Any], problem: tuple[str, str, str]
) -> None:
    assert _problems(category) == [problem]


def test_every_problem_is_told_at_once_and_codes_are_unique() -> None:
    problems = _problems(
        _category(accept="soon"),
        _category(name={"en": "Again"}),
        _category(code="scrap2", service_code="scrap"),
    )
    assert problems == [
        ("scrap", "accept", "catfile.bad_duration"),
        ("scrap", "name.zh", "catfile.needs_text"),
        ("scrap", "code", "catfile.duplicate"),
        ("scrap", "service_code", "catfile.duplicate"),
        ("scrap2", "service_code", "catfile.duplicate"),
    ]


@pytest.mark.parametrize(
    "content", [None, {}, {"categories": []}, {"categories": "fire"}, ["not a mapping"]]
)
def test_a_file_without_categories_is_refused(content: Any) -> None:
    with pytest.raises(CategoryFileError):
        spec.parse(content)


@pytest.mark.parametrize(
    "data", [b"categories: [", b"\xff\xfe not utf-8", b" " * (spec.FILE_LIMIT + 1)]
)
def test_an_unreadable_file_is_refused(data: bytes) -> None:
    with pytest.raises(CategoryFileError):
        spec.load(data)


def test_yaml_cannot_build_python_objects() -> None:
    with pytest.raises(CategoryFileError):
        spec.load(b"categories: !!python/object/apply:os.system ['true']")


def test_problems_read_in_the_persons_language_with_values_escaped() -> None:
    with pytest.raises(CategoryFileError) as raised:
        spec.parse([_category(code="<b>", accept="1d", resolve="1h")])
    catalogue = Catalogue.load()
    zh = raised.value.text(catalogue.translator("zh"))
    en = raised.value.text(catalogue.translator("en"))
    assert zh.splitlines()[0] == "分类文件有 2 处问题，没有导入，现有分类没有任何改动："
    assert "• 分类 &lt;b&gt; · code：“&lt;b&gt;”不是有效的代码" in zh
    assert "• category &lt;b&gt; · accept: the accept deadline cannot be longer" in en


def test_the_demo_file_reads_and_writes_back_the_same() -> None:
    rows = spec.parse(spec.load(DEMO.read_bytes()))
    codes = [row["code"] for row in rows]
    assert codes[:4] == ["fire", "dog", "land", "sanitation"]
    assert {"safety", "dispute", "scrap", "living", "other"} <= set(codes)
    assert spec.parse(yaml.safe_load(spec.dump(rows))) == rows
    assert spec.parse(spec.load(spec.dump(rows, as_json=True).encode())) == rows
