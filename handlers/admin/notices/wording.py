"""How a notice plan is put in words for its author: when it runs, and what paid broadcasting
would take (time and Stars)."""

from __future__ import annotations

import math
from datetime import datetime, tzinfo

from bot.config import Settings
from bot.notices.paid import paid_broadcast
from bot.notices.schedules import Repeat
from bot.texts import Translator


def paid_estimate(t: Translator, settings: Settings, count: int, urgent: bool) -> str | None:
    """The time and cost in Stars of a notice sent with paid broadcasting; None if it is not."""
    paid = paid_broadcast(settings)
    if not paid.applies(urgent):
        return None
    estimate = paid.estimate(count, urgent, settings.broadcast_rate)
    free_seconds = math.ceil(count / settings.broadcast_rate)
    return t(
        "compose.paid_estimate",
        duration=duration(t, estimate.seconds),
        free_duration=duration(t, free_seconds),
        stars=f"{estimate.stars:g}",
        price=f"{paid.stars_per_message:g}",
    )


def duration(t: Translator, seconds: int) -> str:
    """A duration in words: seconds up to two minutes, then whole minutes (rounded up)."""
    if seconds < 120:
        return t("duration.seconds", count=max(1, seconds))
    return t("duration.minutes", count=math.ceil(seconds / 60))


def describe_when(t: Translator, repeat: str, spec: str, tz: tzinfo) -> str:
    """When a plan runs, in words."""
    if spec == "now":
        return t("when.now")
    if repeat == Repeat.ONCE:
        at = datetime.fromisoformat(spec).astimezone(tz)
        return t("when.once", at=at.strftime("%Y-%m-%d %H:%M"))
    return t(f"when.{repeat}", spec=spec)
