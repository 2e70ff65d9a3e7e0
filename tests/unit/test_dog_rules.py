"""The pure rules of the dog register: dates, lapses, stages, numbers, breeds, typed words, and
that every text the dog pages build from a code exists."""

from __future__ import annotations

from datetime import date

import pytest

from bot.dogs import registry, rules
from bot.dogs.register import COLUMNS
from bot.dogs.registry import Action
from bot.dogs.rules import DogError, Stage
from bot.texts import Catalogue
from storage.models import DogStatus

TODAY = date(2026, 6, 1)


@pytest.mark.parametrize(
    ("typed", "day"),
    [
        ("2026-03-05", date(2026, 3, 5)),
        ("2026/3/5", date(2026, 3, 5)),
        ("2026.03.05", date(2026, 3, 5)),
        ("20260305", date(2026, 3, 5)),
        ("2026年3月5日", date(2026, 3, 5)),
        (" 2026-06-01 ", TODAY),
    ],
)
def test_vaccination_dates_in_the_forms_people_write(typed: str, day: date) -> None:
    assert rules.parse_date(typed, TODAY) == day


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("2026-06-02", "dogs.future_date"),
        ("2099-01-01", "dogs.future_date"),
        ("2015-01-01", "dogs.date_too_old"),
        ("2026-02-30", "dogs.bad_date"),
        ("last spring", "dogs.bad_date"),
        ("", "dogs.bad_date"),
        ("2026-13-01", "dogs.bad_date"),
    ],
)
def test_bad_dates_are_refused_with_a_reason(typed: str, key: str) -> None:
    with pytest.raises(DogError) as refused:
        rules.parse_date(typed, TODAY)
    assert refused.value.key == key


def test_a_vaccination_lapses_twelve_months_later() -> None:
    assert rules.lapses_on(date(2025, 6, 1)) == date(2026, 6, 1)
    assert rules.lapses_on(date(2024, 2, 29)) == date(2025, 2, 28)
    assert rules.lapsed(date(2025, 6, 1), TODAY)
    assert not rules.lapsed(date(2025, 6, 2), TODAY)


@pytest.mark.parametrize(
    "day", [date(2026, 6, 1), date(2025, 2, 28), date(2024, 2, 29), date(2024, 3, 1)]
)
def test_the_reminder_threshold_is_the_last_vaccination_that_lapses_by_the_day(day: date) -> None:
    threshold = rules.latest_vaccination_due(day)
    assert rules.lapses_on(threshold) <= day
    assert rules.lapses_on(date.fromordinal(threshold.toordinal() + 1)) > day


def test_the_furthest_stage_due() -> None:
    given = date(2025, 7, 1)  # lapses 2026-07-01
    assert rules.stage_due(given, date(2026, 5, 31)) is None
    assert rules.stage_due(given, date(2026, 6, 1)) is Stage.MONTH_BEFORE
    assert rules.stage_due(given, date(2026, 6, 24)) is Stage.WEEK_BEFORE
    assert rules.stage_due(given, date(2026, 7, 1)) is Stage.LAPSED


def test_registration_numbers_follow_the_case_numbers() -> None:
    assert rules.dog_number("JN", 12) == "JN-D000012"
    assert rules.dog_number("JN", 1234567) == "JN-D1234567"


@pytest.mark.parametrize("typed", ["西伯利亚 雪橇犬", "Jack Russell", "Shih-Tzu", "沙皮"])
def test_a_breed_in_the_owners_words(typed: str) -> None:
    assert rules.check_breed(typed) == typed


@pytest.mark.parametrize("typed", ["1", "狗", "123", "🐶🐶", "<b>x</b>", "a_b", "长" * 31])
def test_an_unknown_breed_is_refused(typed: str) -> None:
    with pytest.raises(DogError):
        rules.check_breed(typed)


def test_restricted_breeds_by_code_name_or_inside_the_owners_words() -> None:
    restricted = {"tibetan_mastiff", "Pit Bull", "土佐犬"}
    assert rules.is_restricted("tibetan_mastiff", restricted)
    assert rules.is_restricted("pit_bull", restricted, {"比特犬", "Pit Bull"})
    assert rules.is_restricted("纯种土佐犬", restricted)
    assert rules.is_restricted("pit-bull", restricted)
    assert not rules.is_restricted("corgi", restricted, {"柯基", "Corgi"})
    assert not rules.is_restricted("沙皮", restricted)


def test_typed_words_are_one_line_and_not_too_long() -> None:
    assert rules.check_name("  旺财  ") == "旺财"
    with pytest.raises(DogError) as refused:
        rules.check_name("长" * 21)
    assert refused.value.key == "dogs.too_long"
    assert refused.value.values == {"limit": 20}
    for bad in ("", "   ", "a\x00b"):
        with pytest.raises(DogError):
            rules.check_colour(bad)


@pytest.mark.parametrize("typed", ["CD-2026-00123", "川A2026/001", "12345"])
def test_certificate_numbers(typed: str) -> None:
    assert rules.check_certificate(typed) == typed


@pytest.mark.parametrize("typed", ["CD1", "ABCDEF", "CD--12", "CD 2026!", "1" * 33])
def test_bad_certificate_numbers(typed: str) -> None:
    with pytest.raises(DogError):
        rules.check_certificate(typed)


def test_every_status_has_a_rule_and_the_dead_change_no_more() -> None:
    sources = {status for rule in registry.RULES.values() for status in rule.sources}
    assert DogStatus.DEAD not in sources
    assert DogStatus.REHOMED not in sources
    assert registry.RULES[Action.APPROVE].reviewer


def test_every_text_built_from_a_code_exists() -> None:
    texts = Catalogue.load().texts
    keys = [
        *(f"dogs.breed_{b}" for b in rules.BREEDS),
        *(f"dogs.size_{s}" for s in rules.Size),
        *(f"dogs.sex_{s}" for s in rules.Sex),
        *(f"dogs.status_{s.value}" for s in DogStatus),
        *(f"dogs.reason_{r}" for r in registry.RETURN_REASONS),
        *(f"dogs.button_{a.value}" for a in registry.RULES if not registry.RULES[a].reviewer),
        *(
            f"dogs.confirm_{a.value}"
            for a in (Action.LOST, Action.FOUND, Action.DEAD, Action.REHOMED)
        ),
        *(f"dogs.done_{a.value}" for a in (Action.LOST, Action.FOUND, Action.DEAD, Action.REHOMED)),
        *(f"dogs.reviewed_{a.value}" for a in (Action.APPROVE, Action.RETURN)),
        *(f"dogs.remind_{int(s)}" for s in Stage),
        *(f"dogs.ask_{step}" for step in ("name", "breed", "colour", "size", "sex", "photo")),
    ]
    keys += [f"dogs.column_{key}" for key, _ in COLUMNS]
    for language in ("zh", "en"):
        assert [key for key in keys if key not in texts[language]] == [], language
