"""Shares and rates as people read them. One rule for every figure: a share whose denominator
is zero (nothing was due, closed, alerted, registered or measured) is "no data", shown as "—",
never 0 % or 100 %."""

from __future__ import annotations

from bot.texts import Translator


def share(part: float, whole: float) -> float | None:
    """`part` of `whole` (0 to 1), or None when there is nothing to divide by."""
    return part / whole if whole else None


def percent(t: Translator, value: float | None) -> str:
    """A share as a whole percentage (37%), or the reader's "—" for no data."""
    return t("stats.no_data") if value is None else f"{value:.0%}"


def cell(value: float | None) -> float | None:
    """A share for a spreadsheet cell: 0 to 1 to four places; an empty cell for no data."""
    return None if value is None else round(value, 4)
