"""Paid broadcasting (Bot API 7.11's `allow_paid_broadcast`): which notices use it, and what
a notice will take and cost.

Telegram sends up to 1000 messages a second for a bot that passes the flag, for a fee of 0.1
Star for each message beyond its free limits (30 a second), taken from the bot's balance; the
bot must be enabled for it. Everything that is not a paid notice keeps the free limits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bot.config import Settings
from bot.telegram.throttle import GLOBAL_PER_S

PAID_MAX_PER_S = 1000  # Telegram's most for paid broadcasts
STARS_PER_MESSAGE = 0.1  # Bot API 7.11: "a fee of 0.1 Telegram Stars per message"


@dataclass(frozen=True)
class PaidBroadcast:
    """Whether paid broadcasting is on, for which notices, at what rate and price."""

    enabled: bool = False
    rate: float = PAID_MAX_PER_S
    for_all: bool = False  # else urgent notices only
    stars_per_message: float = STARS_PER_MESSAGE

    def applies(self, urgent: bool) -> bool:
        """Whether a notice (urgent or not) is sent with the paid flag."""
        return self.enabled and (urgent or self.for_all)

    def estimate(self, recipients: int, urgent: bool, free_rate: float) -> Estimate:
        """The time `recipients` messages take (at the paid rate or at `free_rate`), and the
        Stars a paid run costs: each message beyond the free GLOBAL_PER_S a second of its
        duration."""
        if not self.applies(urgent):
            return Estimate(math.ceil(recipients / free_rate), 0.0)
        seconds = recipients / self.rate
        billed = max(0, recipients - math.floor(GLOBAL_PER_S * seconds))
        return Estimate(math.ceil(seconds), round(billed * self.stars_per_message, 1))


@dataclass(frozen=True)
class Estimate:
    """How long a notice takes to reach everyone, and what it costs in Stars (0: free)."""

    seconds: int
    stars: float


def paid_broadcast(settings: Settings) -> PaidBroadcast:
    """Paid broadcasting as the settings have it."""
    return PaidBroadcast(
        enabled=settings.paid_broadcast,
        rate=settings.paid_broadcast_rate,
        for_all=settings.paid_broadcast_for == "all",
        stars_per_message=settings.paid_broadcast_stars_per_message,
    )
