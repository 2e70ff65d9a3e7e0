"""The duties admins define: a small YAML file (`python -m bot duties import FILE`), checked
all or nothing, saved by name (a name already there is updated); duties the file leaves out are
kept, `active: false` turns one off.

    duties:
      - name: 幸福一网格日巡
        who: officer          # officer (a grid's) | lead (a community's) | admin (the street's)
        area: JN01-1          # a grid for officers, a community for leads, none for admins
        rhythm: daily         # daily | weekly | half_month | monthly | cron
        day: 1                # weekly: 1 Monday … 7 Sunday; monthly: the day of the month
        deadline_hours: 10    # after the period starts (local midnight)
        photos: true
        track: true           # a patrol track (live location while doing it) is required
        checklist:
          - {zh: 消防通道畅通, en: Fire lanes clear}

A cron rhythm, report figures and volunteer duties: see `bot.duties.fields`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bot.duties.fields import DutyFileError, cron_of, fail, group_of, report_of
from bot.duties.rhythm import valid_day
from storage.db import Database
from storage.models import Area, AreaLevel, Duty, ResidentGroup, Rhythm, Role
from storage.upsert import upsert

MAX_ITEMS = 20  # a checklist's buttons fit one message
AREA_LEVEL = {Role.OFFICER: AreaLevel.GRID, Role.LEAD: AreaLevel.COMMUNITY}

__all__ = ["DutyFileError", "Listed", "import_text", "listed", "parse"]


@dataclass(frozen=True)
class Listed:
    duty: Duty
    area: str  # the area's code, "" for the street


def parse(text: str) -> list[dict[str, Any]]:
    """The duties of a file, checked (areas are checked on saving)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise fail("file", str(error).splitlines()[0]) from None
    items = data.get("duties") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise fail("file", "duties: a list")
    return [_duty(f"#{n}", item) for n, item in enumerate(items, 1)]


def _duty(where: str, item: object) -> dict[str, Any]:
    if not isinstance(item, dict) or not str(item.get("name") or "").strip():
        raise fail(where, "name")
    where = str(item["name"]).strip()
    try:
        role, rhythm = Role(item.get("who")), Rhythm(item.get("rhythm"))
    except ValueError:
        raise fail(where, "who / rhythm") from None
    day, hours = item.get("day", 1), item.get("deadline_hours", 24)
    if role is Role.RESIDENT or not isinstance(day, int) or not valid_day(rhythm, day):
        raise fail(where, "who / day")
    if not isinstance(hours, int) or not 1 <= hours <= 24 * 31:
        raise fail(where, "deadline_hours")
    return {
        "name": where[:64],
        "role": role,
        "area": str(item.get("area") or "") or None,
        "rhythm": rhythm,
        "day": day,
        "deadline_hours": hours,
        "photos": bool(item.get("photos", False)),
        "track": bool(item.get("track", False)),
        "active": bool(item.get("active", True)),
        "checklist": _checklist(where, item.get("checklist")),
        "cron": cron_of(where, rhythm, item),
        "report": report_of(where, item.get("report")),
        "group": group_of(where, role, item),
    }


def _checklist(where: str, items: object) -> list[dict[str, str]]:
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
        raise fail(where, f"checklist: 1-{MAX_ITEMS} items")
    checked = []
    for item in items:
        if not isinstance(item, dict) or not item.get("zh") or not item.get("en"):
            raise fail(where, "checklist: {zh, en}")
        checked.append({"zh": str(item["zh"])[:60], "en": str(item["en"])[:60]})
    return checked


async def import_text(database: Database, text: str) -> list[str]:
    """Save the duties of a file (all or nothing); returns their names."""
    duties = parse(text)
    async with database.transaction() as session:
        for duty in duties:
            where = await _where(session, duty)
            values = {k: v for k, v in duty.items() if k not in ("area", "group")}
            await upsert(session, Duty, {**values, **where}, ["name"])
    return [duty["name"] for duty in duties]


async def _where(session: AsyncSession, duty: dict[str, Any]) -> dict[str, int | None]:
    """The duty's area (and residents' group): a volunteer duty's area is its group's
    community."""
    if duty["role"] is Role.VOLUNTEER:
        query = select(ResidentGroup).where(ResidentGroup.code == duty["group"])
        group = await session.scalar(query)
        if group is None:
            raise fail(duty["name"], f"group {duty['group']}")
        return {"area_id": group.community_id, "group_id": group.id}
    area_id = None
    if duty["role"] is not Role.ADMIN:
        area = await session.scalar(select(Area).where(Area.code == duty["area"]))
        if area is None or area.level != AREA_LEVEL[duty["role"]]:
            raise fail(duty["name"], f"area {duty['area']}")
        area_id = area.id
    return {"area_id": area_id, "group_id": None}


async def listed(database: Database) -> list[Listed]:
    """Every duty, active first, by name."""
    async with database.sessions() as session:
        rows = await session.execute(
            select(Duty, Area.code)
            .outerjoin(Area, Area.id == Duty.area_id)
            .order_by(Duty.active.desc(), Duty.name)
        )
        return [Listed(duty, code or "") for duty, code in rows.all()]
