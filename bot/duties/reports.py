"""Report duties ("each community sends its monthly safety check report by the 3rd"): the
figures a duty declares (places checked, hazards found, hazards fixed …, whole numbers), read
one by one as people type them, checked all together on filing, and the filed figures of a
month per area for admins and leads."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from typing import Any

from sqlalchemy import Select, or_, select

from bot.duties.figures import month_bounds
from bot.errors import PoliteError
from storage.db import Database
from storage.models import Area, Duty, DutyOccurrence


class FigureError(PoliteError):
    """A figure that is not a whole number from 0 to its ceiling, or figures missing."""


@dataclass(frozen=True)
class Filed:
    """One occurrence's filed report."""

    area: str  # the area's name, "" for the street's own duties
    duty: Duty
    done_at: datetime
    figures: dict[str, int]
    starts_at: datetime  # the period's start: the month it is filed for


def label(figure: dict[str, Any], language: str) -> str:
    """A figure's name in the reader's language."""
    return str(figure.get(language) or figure.get("zh") or figure["name"])


def read(figure: dict[str, Any], text: str) -> int:
    """The value typed for a figure: a whole number from 0 to the figure's ceiling."""
    cleaned = text.strip().replace(",", "").replace("，", "")
    if not cleaned.lstrip("-").isdigit():
        raise FigureError("duties.figure_not_number")
    value = int(cleaned)
    if value < 0:
        raise FigureError("duties.figure_negative")
    if value > int(figure["most"]):
        raise FigureError("duties.figure_too_large", most=figure["most"])
    return value


def checked(duty: Duty, figures: dict[str, int] | None) -> dict[str, int] | None:
    """The figures to file with an occurrence: every declared one, valid (None for a duty
    that declares none)."""
    if not duty.report:
        return None
    figures = figures or {}
    filed = {}
    for figure in duty.report:
        value = figures.get(figure["name"])
        if not isinstance(value, int) or isinstance(value, bool):
            raise FigureError("duties.figures_missing")
        filed[figure["name"]] = read(figure, str(value))
    return filed


async def monthly(
    database: Database, month: date, tz: tzinfo, community_id: int | None = None
) -> list[Filed]:
    """The reports filed for the periods that started in `month`, by area and duty; only the
    community's own and its grids' when `community_id` is given (a lead's view)."""
    start, end = month_bounds(month, tz)
    query = _filed(start, end)
    if community_id is not None:
        query = query.where(or_(Area.id == community_id, Area.parent_id == community_id))
    return await _load(database, query)


async def between(
    database: Database, since: datetime, until: datetime, area_ids: set[int] | None = None
) -> list[Filed]:
    """The reports filed for the periods that started from `since` until before `until`, by
    area and duty; only the duties of `area_ids` when given (the street's own duties then
    belong to no scope)."""
    query = _filed(since, until)
    if area_ids is not None:
        query = query.where(Duty.area_id.in_(area_ids))
    return await _load(database, query)


def _filed(since: datetime, until: datetime) -> Select[tuple[DutyOccurrence, Duty, str | None]]:
    return (
        select(DutyOccurrence, Duty, Area.name)
        .join(Duty, Duty.id == DutyOccurrence.duty_id)
        .outerjoin(Area, Area.id == Duty.area_id)
        .where(DutyOccurrence.starts_at >= since, DutyOccurrence.starts_at < until)
        .where(DutyOccurrence.figures.is_not(None), DutyOccurrence.done_at.is_not(None))
        .order_by(Area.name, Duty.name, DutyOccurrence.starts_at)
    )


async def _load(
    database: Database, query: Select[tuple[DutyOccurrence, Duty, str | None]]
) -> list[Filed]:
    async with database.sessions() as session:
        rows = (await session.execute(query)).all()
    return [
        Filed(name or "", duty, o.done_at, dict(o.figures or {}), o.starts_at)
        for o, duty, name in rows
    ]
