"""Durations as people read them: 30 分钟, 2 小时, 3 天."""

from __future__ import annotations

from bot.texts import Translator


def duration_text(t: Translator, minutes: int) -> str:
    """The largest whole unit that says `minutes` exactly."""
    if minutes % (24 * 60) == 0 and minutes >= 24 * 60:
        return t("time.days", count=minutes // (24 * 60))
    if minutes % 60 == 0 and minutes >= 60:
        return t("time.hours", count=minutes // 60)
    return t("time.minutes", count=minutes)
