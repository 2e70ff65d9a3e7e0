"""The newer fields of a duty in the duties file, checked one by one with an error naming the
field: a cron rhythm's expression, a report duty's figures and a residents' group.

    rhythm: cron
    cron: "0 8 * * 1-5"     # minute hour day month weekday; fires at most once a day
    report:                 # a report duty: each figure asked when it is done
      - {name: places, zh: 检查场所数, en: Places checked, type: int, most: 10000}
    who: volunteer
    group: JN01-G1          # a volunteer duty's residents' group (its community is its area)
"""

from __future__ import annotations

import re
from typing import Any

from bot.duties.rhythm import valid_cron
from bot.errors import PoliteError
from storage.models import Rhythm, Role

MAX_FIGURES = 10
MOST = 1_000_000  # a figure's default ceiling
FIGURE_NAME = re.compile(r"^[a-z][a-z0-9_]{0,31}$")


class DutyFileError(PoliteError):
    """A duties file that cannot be loaded; nothing of it was saved."""


def fail(where: str, what: str) -> DutyFileError:
    return DutyFileError("duties.bad_file", where=where, what=what)


def cron_of(where: str, rhythm: Rhythm, item: dict[str, Any]) -> str | None:
    """A cron duty's expression (a duty of another rhythm has none)."""
    if rhythm is not Rhythm.CRON:
        if item.get("cron") is not None:
            raise fail(where, "cron: only with rhythm: cron")
        return None
    expression = " ".join(str(item.get("cron") or "").split())
    if not valid_cron(expression):
        raise fail(where, "cron: five fields, minute and hour plain numbers (0 8 * * 1-5)")
    return expression


def group_of(where: str, role: Role, item: dict[str, Any]) -> str | None:
    """A volunteer duty's residents' group code (the others have none)."""
    group = str(item.get("group") or "").strip()
    if (role is Role.VOLUNTEER) != bool(group):
        raise fail(where, "group: the residents' group of a volunteer duty (who: volunteer)")
    return group or None


def report_of(where: str, figures: object) -> list[dict[str, Any]]:
    """A report duty's figures, each {name, zh, en, type: int, most}."""
    if figures is None:
        return []
    if not isinstance(figures, list) or not 1 <= len(figures) <= MAX_FIGURES:
        raise fail(where, f"report: 1-{MAX_FIGURES} figures")
    checked: list[dict[str, Any]] = []
    for figure in figures:
        checked.append(_figure(where, figure))
    if len({figure["name"] for figure in checked}) != len(checked):
        raise fail(where, "report: each name once")
    return checked


def _figure(where: str, figure: object) -> dict[str, Any]:
    if not isinstance(figure, dict) or not FIGURE_NAME.match(str(figure.get("name") or "")):
        raise fail(where, "report: name (a-z, 0-9, _)")
    name = str(figure["name"])
    if not figure.get("zh") or not figure.get("en"):
        raise fail(where, f"report {name}: zh, en")
    if figure.get("type", "int") != "int":
        raise fail(where, f"report {name}: type int")
    most = figure.get("most", MOST)
    if not isinstance(most, int) or isinstance(most, bool) or not 1 <= most <= MOST:
        raise fail(where, f"report {name}: most 1-{MOST}")
    return {"name": name, "zh": str(figure["zh"])[:30], "en": str(figure["en"])[:30], "most": most}
