"""The duties admins define: a small YAML file (`python -m bot duties import FILE`), checked
all or nothing, saved by name (a name already there is updated); duties the file leaves out are
kept, `active: false` turns one off.

    duties:
      - name: 幸福一网格日巡
        who: officer          # officer (a grid's) | lead (a community's) | admin (the street's)
        area: JN01-1          # a grid for officers, a community for leads, none for admins
        rhythm: daily         # daily | weekly | half_month | monthly
        day: 1                # weekly: 1 Monday … 7 Sunday; monthly: the day of the month
        deadline_hours: 10    # after the period starts (local midnight)
        photos: true
        track: true           # a patrol track (live location while doing it) is required
        checklist:
          - {zh: 消防通道畅通, en: Fire lanes clear}
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import yaml
from sqlalchemy import select

from bot.duties.rhythm import valid_day
from bot.errors import PoliteError
from storage.db import Database
from storage.models import Area, AreaLevel, Duty, Rhythm, Role
from storage.upsert import upsert

MAX_ITEMS = 20  # a checklist's buttons fit one message
AREA_LEVEL = {Role.OFFICER: AreaLevel.GRID, Role.LEAD: AreaLevel.COMMUNITY}


class DutyFileError(PoliteError):
    """A duties file that cannot be loaded; nothing of it was saved."""


@dataclass(frozen=True)
class Listed:
    duty: Duty
    area: str  # the area's code, "" for the street


def _fail(where: str, what: str) -> DutyFileError:
    return DutyFileError("duties.bad_file", where=where, what=what)


def parse(text: str) -> list[dict[str, Any]]:
    """The duties of a file, checked (areas are checked on saving)."""
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as error:
        raise _fail("file", str(error).splitlines()[0]) from None
    items = data.get("duties") if isinstance(data, dict) else None
    if not isinstance(items, list) or not items:
        raise _fail("file", "duties: a list")
    return [_duty(f"#{n}", item) for n, item in enumerate(items, 1)]


def _duty(where: str, item: object) -> dict[str, Any]:
    if not isinstance(item, dict) or not str(item.get("name") or "").strip():
        raise _fail(where, "name")
    where = str(item["name"]).strip()
    try:
        role, rhythm = Role(item.get("who")), Rhythm(item.get("rhythm"))
    except ValueError:
        raise _fail(where, "who / rhythm") from None
    day, hours = item.get("day", 1), item.get("deadline_hours", 24)
    if role is Role.RESIDENT or not isinstance(day, int) or not valid_day(rhythm, day):
        raise _fail(where, "who / day")
    if not isinstance(hours, int) or not 1 <= hours <= 24 * 31:
        raise _fail(where, "deadline_hours")
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
    }


def _checklist(where: str, items: object) -> list[dict[str, str]]:
    if not isinstance(items, list) or not 1 <= len(items) <= MAX_ITEMS:
        raise _fail(where, f"checklist: 1-{MAX_ITEMS} items")
    checked = []
    for item in items:
        if not isinstance(item, dict) or not item.get("zh") or not item.get("en"):
            raise _fail(where, "checklist: {zh, en}")
        checked.append({"zh": str(item["zh"])[:60], "en": str(item["en"])[:60]})
    return checked


async def import_text(database: Database, text: str) -> list[str]:
    """Save the duties of a file (all or nothing); returns their names."""
    duties = parse(text)
    async with database.transaction() as session:
        for duty in duties:
            area_id = None
            if duty["role"] is not Role.ADMIN:
                area = await session.scalar(select(Area).where(Area.code == duty["area"]))
                if area is None or area.level != AREA_LEVEL[duty["role"]]:
                    raise _fail(duty["name"], f"area {duty['area']}")
                area_id = area.id
            values = {k: v for k, v in duty.items() if k != "area"}
            await upsert(session, Duty, {**values, "area_id": area_id}, ["name"])
    return [duty["name"] for duty in duties]


async def listed(database: Database) -> list[Listed]:
    """Every duty, active first, by name."""
    async with database.sessions() as session:
        rows = await session.execute(
            select(Duty, Area.code)
            .outerjoin(Area, Area.id == Duty.area_id)
            .order_by(Duty.active.desc(), Duty.name)
        )
        return [Listed(duty, code or "") for duty, code in rows.all()]
