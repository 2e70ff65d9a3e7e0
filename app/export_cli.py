"""`python -m bot export`: the case register written to a file, for operators."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from datetime import date, tzinfo
from pathlib import Path

from sqlalchemy import func, select

from bot.errors import PoliteError
from bot.people.scope import area_ids
from bot.register import export
from bot.register.export import Format, Register
from bot.texts import Catalogue
from bot.timing import periods
from storage.db import Database
from storage.models import Area


@dataclass(frozen=True)
class Request:
    first: date
    last: date
    area_code: str | None
    kind: Format
    out: Path | None
    folder: Path  # where the file goes without `out` (the data folder's exports)
    with_reporters: bool  # off unless asked: privacy by default
    language: str


async def write_register(database: Database, tz: tzinfo, request: Request) -> None:
    """Write the register of the request and print where, with the number of cases."""
    try:
        period = periods.between(request.first, request.last, tz)
    except PoliteError:  # said in the command line's own words, not chat's
        raise PoliteError(
            "cli.export_period",
            first=request.first.isoformat(),
            last=request.last.isoformat(),
            days=periods.LONGEST_DAYS,
        ) from None
    area = await _area(database, request.area_code)
    code = area.code if area is not None else None
    path = request.out or request.folder / export.file_name(period, code, request.kind)
    await asyncio.to_thread(path.parent.mkdir, parents=True, exist_ok=True)
    register = Register(period, await area_ids(database, area), request.with_reporters)
    t = Catalogue.load(request.language).translator(request.language)
    written = await export.write(database, register, t, tz, {request.kind: path})
    print(f"{path.resolve()}: {written.cases} cases filed {period.label}")


async def _area(database: Database, code: str | None) -> Area | None:
    if code is None:
        return None
    async with database.sessions() as session:
        area = await session.scalar(select(Area).where(func.lower(Area.code) == code.lower()))
    if area is None:
        raise PoliteError("scope.unknown_area", area=code)
    return area
