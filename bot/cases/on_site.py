"""On-site verification (现场核查): a fix counts as verified when the officer who resolves it
shares a location within VERIFY_RADIUS_M of the case's place."""

from __future__ import annotations

from bot.places.geo import distance_m, valid_point
from storage.models import Case


def verified(case: Case, latitude: float, longitude: float, radius_m: float) -> bool:
    """Whether the officer, at (latitude, longitude), stands at the case's place. A case without
    a place, or a point that is not on Earth, is never verified."""
    if case.latitude is None or case.longitude is None:
        return False
    if not valid_point(latitude, longitude):
        return False
    return distance_m(latitude, longitude, case.latitude, case.longitude) <= radius_m
