"""Members' shifts: reading `mon-fri 08:00-20:00` in either language, and who is on duty by
shifts and by their own switch (the switch holds until a shift starts or ends)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.stations.shifts import (
    Shift,
    ShiftError,
    Switch,
    changes_between,
    day_names,
    describe,
    on_duty,
    read,
)
from bot.texts import Catalogue

TZ = ZoneInfo("Asia/Shanghai")
CATALOGUE = Catalogue.load()
NAMES = day_names(CATALOGUE)
DAY_SHIFT = [Shift(day, 8 * 60, 20 * 60) for day in range(1, 6)]  # mon-fri 08:00-20:00
NIGHT = [Shift(5, 20 * 60, 8 * 60)]  # Friday 20:00 to Saturday 08:00


def local(day: int, hour: int, minute: int = 0) -> datetime:
    """December 2026: the 7th is a Monday."""
    return datetime(2026, 12, day, hour, minute, tzinfo=TZ)


@pytest.mark.parametrize(
    "words",
    [
        ["mon-fri", "08:00-20:00"],
        ["周一-周五", "08:00-20:00"],
        ["星期一-星期五", "8:00-20:00"],
        ["1-5", "08:00～20:00"],  # a full-width tilde, as a Chinese keyboard types it
        ["Mon,Tue,wed,THU,friday", "０８:００-20:00"],
    ],
)
def test_weekdays_in_words_of_either_language_or_numbers(words: list[str]) -> None:
    assert read(words, CATALOGUE) == DAY_SHIFT


def test_several_pairs_every_day_wrapping_ranges_and_none() -> None:
    assert read(["sat,sun", "09:00-12:00", "周五", "20:00-08:00"], CATALOGUE) == [
        Shift(5, 1200, 480),
        Shift(6, 540, 720),
        Shift(7, 540, 720),
    ]
    assert [s.weekday for s in read(["每天", "00:00-24:00"], CATALOGUE)] == list(range(1, 8))
    assert [s.weekday for s in read(["fri-mon", "09:00-10:00"], CATALOGUE)] == [1, 5, 6, 7]
    assert read(["无"], CATALOGUE) == []
    assert read(["none"], CATALOGUE) == []


@pytest.mark.parametrize(
    ("words", "key"),
    [
        (["mon-fri"], "stations.bad_shift"),
        (["mon", "08:00-20:00", "tue"], "stations.bad_shift"),
        (["funday", "08:00-20:00"], "stations.bad_days"),
        (["8", "08:00-20:00"], "stations.bad_days"),
        (["daily-fri", "08:00-20:00"], "stations.bad_days"),
        (["mon", "08:00"], "stations.bad_hours"),
        (["mon", "25:00-26:00"], "stations.bad_hours"),
        (["mon", "08:61-09:00"], "stations.bad_hours"),
        (["mon", "08:00-08:00"], "stations.bad_hours"),
        (["mon", "08:00-24:30"], "stations.bad_hours"),
    ],
)
def test_what_is_not_understood_is_refused_politely(words: list[str], key: str) -> None:
    with pytest.raises(ShiftError) as refused:
        read(words, CATALOGUE)
    assert refused.value.key == key


def test_within_a_shift_on_duty_outside_off() -> None:
    assert on_duty(DAY_SHIFT, None, local(7, 8), TZ)  # Monday 08:00, the start
    assert on_duty(DAY_SHIFT, None, local(11, 19, 59), TZ)
    assert not on_duty(DAY_SHIFT, None, local(11, 20), TZ)  # the end is not in it
    assert not on_duty(DAY_SHIFT, None, local(12, 10), TZ)  # Saturday
    assert not on_duty(DAY_SHIFT, None, local(7, 7, 59), TZ)


def test_a_night_shift_runs_into_the_next_day() -> None:
    assert on_duty(NIGHT, None, local(11, 23), TZ)
    assert on_duty(NIGHT, None, local(12, 7, 59), TZ)  # Saturday morning
    assert not on_duty(NIGHT, None, local(12, 8), TZ)
    assert not on_duty(NIGHT, None, local(11, 19), TZ)


def test_no_shifts_no_switch_on_duty_and_a_switch_lasts() -> None:
    assert on_duty([], None, local(7, 3), TZ)
    off = Switch(False, local(1, 9))
    assert not on_duty([], off, local(31, 9), TZ)  # without shifts, until switched again


def test_off_in_a_shift_lasts_until_it_ends_then_the_shifts_rule() -> None:
    off = Switch(False, local(7, 10))  # Monday 10:00, in the shift
    assert not on_duty(DAY_SHIFT, off, local(7, 19), TZ)
    assert not on_duty(DAY_SHIFT, off, local(7, 21), TZ)  # ended: out of shift anyway
    assert on_duty(DAY_SHIFT, off, local(8, 8), TZ)  # Tuesday's shift: on again


def test_on_outside_a_shift_lasts_until_the_next_starts() -> None:
    on = Switch(True, local(12, 10))  # Saturday
    assert on_duty(DAY_SHIFT, on, local(13, 23), TZ)  # Sunday night: still on
    assert on_duty(DAY_SHIFT, on, local(14, 9), TZ)  # Monday's shift
    assert not on_duty(DAY_SHIFT, on, local(14, 20), TZ)  # it ended: the switch is spent


def test_changes_between() -> None:
    assert not changes_between(DAY_SHIFT, local(7, 9), local(7, 19), TZ)
    assert changes_between(DAY_SHIFT, local(7, 9), local(7, 20), TZ)
    assert changes_between(NIGHT, local(12, 7), local(12, 8), TZ)
    assert not changes_between([], local(1, 0), local(31, 0), TZ)
    assert changes_between(DAY_SHIFT, local(1, 0), local(1, 0) + timedelta(days=9), TZ)


def test_shifts_described_in_the_readers_language() -> None:
    shifts = read(["sat,sun", "09:00-12:00", "mon", "20:00-00:00"], CATALOGUE)
    zh = describe(shifts, CATALOGUE.translator("zh"))
    assert zh == "周一 20:00–24:00；周六，周日 09:00–12:00"
    assert describe(shifts, CATALOGUE.translator("en")).startswith("Monday 20:00–24:00; ")
    assert describe([], CATALOGUE.translator("en")) == "—"
