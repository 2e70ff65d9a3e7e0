"""A distance as people say it: metres up to a kilometre, then kilometres with one decimal."""

from __future__ import annotations

from bot.texts import Translator


def distance_text(t: Translator, metres: float) -> str:
    if metres < 1000:
        return t("units.metres", value=round(metres))
    return t("units.kilometres", value=f"{metres / 1000:.1f}")
