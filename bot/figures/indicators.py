"""The counts behind the indicators and the rates made from them (definitions: `bot.figures.stats`).

Counts add up, so a community's figures are the sum of its cases' groups; medians do not, so
they are computed for each group separately. A rate whose denominator is zero is None ("no
data"), never 0 % or 100 %.
"""

from __future__ import annotations

import statistics
from collections.abc import Iterable
from dataclasses import dataclass, fields

from bot.texts.shares import share

ratio = share  # the one rule for shares (bot.texts.shares)


@dataclass(frozen=True)
class Counts:
    filed: int = 0
    dispatched: int = 0
    accepted: int = 0
    valid: int = 0
    due: int = 0  # valid cases whose handling was due
    on_time: int = 0  # valid cases resolved by their deadline
    closed: int = 0
    closed_on_time: int = 0
    resolved: int = 0  # resolved at least once (resolved now, or sent back since)
    reworked: int = 0
    rated: int = 0
    rating_sum: int = 0
    withdrawn: int = 0  # by their reporters before acceptance: not valid, counted apart

    def __add__(self, other: Counts) -> Counts:
        # Not dataclasses.astuple: it deep-copies every field, and a street's report adds
        # a few thousand of these.
        return Counts(*(getattr(self, name) + getattr(other, name) for name in COUNT_FIELDS))

    @property
    def on_time_rate(self) -> float | None:
        return ratio(self.on_time, self.due)

    @property
    def closure_rate(self) -> float | None:
        return ratio(self.closed, self.valid)

    @property
    def on_time_closure_rate(self) -> float | None:
        return ratio(self.closed_on_time, self.valid)

    @property
    def rework_rate(self) -> float | None:
        return ratio(self.reworked, self.resolved)

    @property
    def satisfaction(self) -> float | None:
        return self.rating_sum / self.rated if self.rated else None

    @property
    def share_rated(self) -> float | None:
        return ratio(self.rated, self.closed)


COUNT_FIELDS = tuple(field.name for field in fields(Counts))


@dataclass(frozen=True)
class Figures:
    """The counts of a group and its median times in minutes (None: nothing to measure)."""

    counts: Counts
    accept_minutes: float | None = None
    resolve_minutes: float | None = None


def median(values: Iterable[float | None]) -> float | None:
    """The median of the values that are set (as PostgreSQL's `percentile_cont(0.5)`)."""
    present = [value for value in values if value is not None]
    return statistics.median(present) if present else None
