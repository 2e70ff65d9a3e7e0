"""The pure rules of an immunisation day (集中免疫日): its date, hours, slots and capacity as
the author types them, and who may announce one where.

An announcement reads `DATE HOURS MINUTES CAPACITY PLACE`, e.g. `2026-12-20 09:00-12:00 60 20
社区广场`: the hours are cut into slots of MINUTES, each taking CAPACITY dogs.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import pairwise

from bot.dogs.rules import DATE_FORMS, DogError, plain_text
from storage.models import Person, Role

MAX_PLACE = 60
MAX_CAPACITY = 500
MAX_SLOTS = 24
MIN_SLOT_MINUTES = 10
FURTHEST_DAYS = 366
HOURS = re.compile(r"^(\d{1,2}):(\d{2})[-~–—至到](\d{1,2}):(\d{2})$")


@dataclass(frozen=True)
class Slot:
    starts: str  # HH:MM
    ends: str


@dataclass(frozen=True)
class Plan:
    """A checked announcement: the day, its place and slots."""

    day: date
    place: str
    slots: tuple[Slot, ...]
    capacity: int

    @property
    def hours(self) -> str:
        return f"{self.slots[0].starts}-{self.slots[-1].ends}"


def parse_day(text: str, today: date) -> date:
    """The day of an immunisation day: today or later, within a year."""
    value = "".join(text.split())
    for form in DATE_FORMS:
        if match := form.match(value):
            try:
                day = date(*(int(part) for part in match.groups()))
            except ValueError:
                break
            if day < today:
                raise DogError("dogday.past_date")
            if day > today + timedelta(days=FURTHEST_DAYS):
                raise DogError("dogday.too_far")
            return day
    raise DogError("dogs.bad_date")


def parse_hours(text: str) -> tuple[int, int]:
    """Opening hours `09:00-12:00` as minutes after midnight; the end after the start."""
    match = HOURS.match("".join(text.split()))
    if match is None:
        raise DogError("dogday.bad_hours")
    h1, m1, h2, m2 = (int(part) for part in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        raise DogError("dogday.bad_hours")
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if end <= start:
        raise DogError("dogday.bad_hours")
    return start, end


def split_slots(start: int, end: int, minutes: int) -> tuple[Slot, ...]:
    """The hours cut into slots of `minutes` (the last one may be shorter)."""
    if minutes < MIN_SLOT_MINUTES:
        raise DogError("dogday.bad_slot", least=MIN_SLOT_MINUTES)
    edges = [*range(start, end, minutes), end]
    if len(edges) - 1 > MAX_SLOTS:
        raise DogError("dogday.too_many_slots", most=MAX_SLOTS)
    return tuple(Slot(_clock(a), _clock(b)) for a, b in pairwise(edges))


def parse_number(text: str, least: int, most: int, key: str) -> int:
    if not text.isascii() or not text.isdigit() or not least <= int(text) <= most:
        raise DogError(key, least=least, most=most)
    return int(text)


def parse_plan(text: str, today: date) -> Plan:
    """`DATE HOURS MINUTES CAPACITY PLACE` checked, or a DogError saying what is wrong."""
    parts = (text or "").split(maxsplit=4)
    if len(parts) < 5:
        raise DogError("dogday.usage")
    day = parse_day(parts[0], today)
    start, end = parse_hours(parts[1])
    minutes = parse_number(parts[2], MIN_SLOT_MINUTES, 24 * 60, "dogday.bad_slot")
    capacity = parse_number(parts[3], 1, MAX_CAPACITY, "dogday.bad_capacity")
    place = plain_text(parts[4], MAX_PLACE)
    return Plan(day, place, split_slots(start, end, minutes), capacity)


def may_announce(person: Person, area_id: int | None, lead_community: int | None) -> bool:
    """An admin announces anywhere (a community, or the whole street: `area_id` None); a lead
    only in their own community; nobody else."""
    if person.banned:
        return False
    if person.role == Role.ADMIN:
        return True
    return person.role == Role.LEAD and area_id is not None and area_id == lead_community


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
