"""The pure rules of an immunisation day: the announcement's words, its slots, who may
announce where."""

from __future__ import annotations

from datetime import date

import pytest

from bot.dogs.day_rules import Slot, may_announce, parse_hours, parse_plan, split_slots
from bot.dogs.rules import DogError
from storage.models import Person, Role

TODAY = date(2026, 12, 3)


def test_an_announcement_is_cut_into_slots_of_its_minutes() -> None:
    plan = parse_plan("2026-12-20 09:00-11:30 60 20 幸福社区 广场", TODAY)
    assert plan.day == date(2026, 12, 20)
    assert plan.place == "幸福社区 广场"
    assert plan.capacity == 20
    assert plan.slots == (Slot("09:00", "10:00"), Slot("10:00", "11:00"), Slot("11:00", "11:30"))
    assert plan.hours == "09:00-11:30"


@pytest.mark.parametrize(
    ("typed", "key"),
    [
        ("2026-12-20 09:00-12:00 60", "dogday.usage"),
        ("2026-12-01 09:00-12:00 60 20 广场", "dogday.past_date"),
        ("2028-12-01 09:00-12:00 60 20 广场", "dogday.too_far"),
        ("2026-02-30 09:00-12:00 60 20 广场", "dogs.bad_date"),
        ("2026-12-20 12:00-09:00 60 20 广场", "dogday.bad_hours"),
        ("2026-12-20 25:00-26:00 60 20 广场", "dogday.bad_hours"),
        ("2026-12-20 9点-12点 60 20 广场", "dogday.bad_hours"),
        ("2026-12-20 09:00-12:00 5 20 广场", "dogday.bad_slot"),
        ("2026-12-20 00:00-23:59 10 20 广场", "dogday.too_many_slots"),
        ("2026-12-20 09:00-12:00 60 0 广场", "dogday.bad_capacity"),
        ("2026-12-20 09:00-12:00 60 ２０ 广场", "dogday.bad_capacity"),
        ("2026-12-20 09:00-12:00 60 501 广场", "dogday.bad_capacity"),
    ],
)
def test_bad_announcements_say_what_is_wrong(typed: str, key: str) -> None:
    with pytest.raises(DogError) as refused:
        parse_plan(typed, TODAY)
    assert refused.value.key == key


def test_hours_in_the_forms_people_write() -> None:
    assert parse_hours("9:00~12:00") == (540, 720)
    assert parse_hours("14:30至17:00") == (870, 1020)
    assert split_slots(540, 600, 30) == (Slot("09:00", "09:30"), Slot("09:30", "10:00"))


def test_today_is_a_day_one_may_announce() -> None:
    assert parse_plan("2026-12-03 09:00-10:00 60 1 广场", TODAY).day == TODAY


def test_admins_announce_anywhere_leads_only_in_their_community() -> None:
    admin = Person(tg_id=1, role=Role.ADMIN, banned=False)
    lead = Person(tg_id=2, role=Role.LEAD, banned=False)
    officer = Person(tg_id=3, role=Role.OFFICER, banned=False)
    banned = Person(tg_id=4, role=Role.ADMIN, banned=True)
    assert may_announce(admin, None, None)
    assert may_announce(admin, 7, None)
    assert may_announce(lead, 7, 7)
    assert not may_announce(lead, 8, 7)
    assert not may_announce(lead, None, 7)  # the whole street is the admins'
    assert not may_announce(officer, 7, 7)
    assert not may_announce(banned, 7, None)
