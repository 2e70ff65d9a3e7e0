"""The pure rules of the dog register: what an owner may type, dates, numbers, breeds.

A rabies vaccination lapses twelve months after it was given: on the same day of the next year
(a dog vaccinated on 29 February lapses on 28 February). Owners are reminded 30 and 7 days
before, and once on or after the day it lapses.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from collections.abc import Iterable
from datetime import date, timedelta

from bot.errors import PoliteError

MAX_NAME = 20
MAX_COLOUR = 20
MAX_BREED = 30
MAX_CERTIFICATE = 32
MIN_CERTIFICATE = 4
OLDEST_VACCINATION_YEARS = 10
NUMBER_MARK = "D"  # JN-D000012: a dog's number beside the cases' JN-000012

# Breeds offered as buttons; their names are the texts `dogs.breed_<code>`. Anything else the
# owner types (letters only).
BREEDS = (
    "mixed",
    "poodle",
    "bichon",
    "pomeranian",
    "corgi",
    "shiba",
    "golden",
    "labrador",
    "husky",
    "border_collie",
    "schnauzer",
    "german_shepherd",
    "tibetan_mastiff",
    "pit_bull",
    "rottweiler",
)
BREED_WORD = re.compile(r"^[^\W\d_]+(?:[ \-·'][^\W\d_]+)*$")
CERTIFICATE = re.compile(r"^[^\W_]+(?:[\-/][^\W_]+)*$")
DATE_FORMS = (
    re.compile(r"^(\d{4})[-./](\d{1,2})[-./](\d{1,2})$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
)


class Size(enum.StrEnum):
    SMALL = "small"
    MEDIUM = "medium"
    LARGE = "large"


class Sex(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"


class Stage(enum.IntEnum):
    """A vaccination reminder, by how far along the lapse it is."""

    MONTH_BEFORE = 1
    WEEK_BEFORE = 2
    LAPSED = 3

    @property
    def days_before(self) -> int:
        return {1: 30, 2: 7, 3: 0}[self.value]


class DogError(PoliteError):
    """Something an owner typed or chose that the register cannot take."""


def plain_text(text: str | None, limit: int, too_long: str = "dogs.too_long") -> str:
    """One line of the owner's words: trimmed, no control characters, at most `limit` long."""
    value = " ".join((text or "").split())
    if not value or any(unicodedata.category(ch).startswith("C") for ch in value):
        raise DogError("dogs.bad_text")
    if len(value) > limit:
        raise DogError(too_long, limit=limit)
    return value


def check_name(text: str | None) -> str:
    return plain_text(text, MAX_NAME)


def check_colour(text: str | None) -> str:
    return plain_text(text, MAX_COLOUR)


def check_breed(text: str | None) -> str:
    """A breed typed by the owner: words of letters (any script), 2 to 30 characters. Digits,
    symbols and emoji are no breed, and the owner is shown the list again."""
    value = plain_text(text, MAX_BREED)
    if len(value) < 2 or not BREED_WORD.match(value):
        raise DogError("dogs.unknown_breed")
    return value


def check_certificate(text: str | None) -> str:
    """A vaccination certificate number: letters and digits, with - or / between, 4 to 32
    characters, at least one digit."""
    value = plain_text(text, MAX_CERTIFICATE).replace(" ", "")
    if (
        len(value) < MIN_CERTIFICATE
        or not CERTIFICATE.match(value)
        or not any(ch.isdigit() for ch in value)
    ):
        raise DogError("dogs.bad_certificate")
    return value


def parse_date(text: str | None, today: date) -> date:
    """The day of the last rabies vaccination: 2026-03-05, 2026/3/5, 20260305 or 2026年3月5日;
    not in the future, not more than ten years ago."""
    value = "".join((text or "").split())
    for form in DATE_FORMS:
        if match := form.match(value):
            try:
                day = date(*(int(part) for part in match.groups()))
            except ValueError:
                break
            if day > today:
                raise DogError("dogs.future_date")
            if day < _years_before(today, OLDEST_VACCINATION_YEARS):
                raise DogError("dogs.date_too_old", years=OLDEST_VACCINATION_YEARS)
            return day
    raise DogError("dogs.bad_date")


def lapses_on(vaccinated_on: date) -> date:
    """The day the vaccination lapses: twelve months after it was given."""
    return _years_after(vaccinated_on, 1)


def lapsed(vaccinated_on: date, today: date) -> bool:
    return today >= lapses_on(vaccinated_on)


def latest_vaccination_due(day: date) -> date:
    """The latest vaccination date whose lapse falls on or before `day`: every dog vaccinated
    on or before it lapses by `day` (what the reminder query compares with)."""
    candidate = _years_before(day, 1)
    while lapses_on(candidate + timedelta(days=1)) <= day:
        candidate += timedelta(days=1)
    return candidate


def stage_due(vaccinated_on: date, today: date) -> Stage | None:
    """The furthest reminder that is due today, if any."""
    due = [s for s in Stage if today >= lapses_on(vaccinated_on) - timedelta(days=s.days_before)]
    return max(due) if due else None


def dog_number(prefix: str, dog_id: int) -> str:
    """The registration number, after the case numbers' prefix: JN-D000012."""
    return f"{prefix}-{NUMBER_MARK}{dog_id:06d}"


def breed_code(value: str) -> str | None:
    """The code of a listed breed, or None for the owner's own words."""
    return value if value in BREEDS else None


def is_restricted(breed: str, restricted: Iterable[str], names: Iterable[str] = ()) -> bool:
    """Whether a breed is on the street's restricted list. `breed` is a listed breed's code or
    the owner's words; `names` are the listed breed's names in every language. An entry of the
    list matches a code or name exactly, or appears inside the owner's words (纯种藏獒)."""
    entries = {_fold(entry) for entry in restricted if entry.strip()}
    if breed_code(breed) is not None:
        return bool(entries & {_fold(breed), *(_fold(name) for name in names)})
    words = _fold(breed)
    return any(entry in words for entry in entries)


def _fold(text: str) -> str:
    return "".join(text.split()).casefold().replace("-", "").replace("_", "")


def _years_after(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def _years_before(day: date, years: int) -> date:
    return _years_after(day, -years)
