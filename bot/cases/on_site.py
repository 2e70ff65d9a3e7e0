"""On-site verification (现场核查): a fix counts as verified when the officer who resolves it
shares a location within VERIFY_RADIUS_M of the case's place."""

from __future__ import annotations

import enum
from dataclasses import dataclass

from bot.places.geo import distance_m, valid_point
from storage.models import Case


class Why(enum.StrEnum):
    """Why a fix was or was not verified on site (each has its text, `desk.verify_<why>`)."""

    ON_SITE = "on_site"
    FAR = "far"  # the officer stood farther than the radius
    NO_PLACE = "no_place"  # the case has no place to compare with
    SKIPPED = "skipped"  # the officer shared no location
    NOT_A_PLACE = "not_a_place"  # the point shared is not on Earth


@dataclass(frozen=True)
class Verification:
    why: Why
    distance_m: float | None = None

    @property
    def verified(self) -> bool:
        return self.why is Why.ON_SITE


def check(
    case: Case, latitude: float | None, longitude: float | None, radius_m: float
) -> Verification:
    """Whether the officer, at (latitude, longitude) (None: no location shared), stands at the
    case's place, and why not."""
    if latitude is None or longitude is None:
        return Verification(Why.SKIPPED)
    if case.latitude is None or case.longitude is None:
        return Verification(Why.NO_PLACE)
    if not valid_point(latitude, longitude):
        return Verification(Why.NOT_A_PLACE)
    away = distance_m(latitude, longitude, case.latitude, case.longitude)
    return Verification(Why.ON_SITE if away <= radius_m else Why.FAR, away)


def verified(case: Case, latitude: float, longitude: float, radius_m: float) -> bool:
    """Whether the officer, at (latitude, longitude), stands at the case's place. A case without
    a place, or a point that is not on Earth, is never verified."""
    return check(case, latitude, longitude, radius_m).verified
