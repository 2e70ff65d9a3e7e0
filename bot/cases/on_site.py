"""On-site verification (现场核查): a fix counts as verified when the officer who resolves it
shares a location within VERIFY_RADIUS_M of the case's place."""

from __future__ import annotations

import math

from bot.places.geo import distance_m
from storage.models import Case


def verified(case: Case, latitude: float, longitude: float, radius_m: float) -> bool:
    """Whether the officer, at (latitude, longitude), stands at the case's place. A case without
    a place, or a point that is not on Earth, is never verified."""
    if case.latitude is None or case.longitude is None:
        return False
    if not (math.isfinite(latitude) and math.isfinite(longitude)):
        return False
    if not (-90 <= latitude <= 90 and -180 <= longitude <= 180):
        return False
    return distance_m(latitude, longitude, case.latitude, case.longitude) <= radius_m
