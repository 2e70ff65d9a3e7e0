"""/map [area] [patrol]: a picture of the area's grids with its open cases (leads and admins),
and with the month's patrol tracks and each grid's coverage when asked."""

from __future__ import annotations

import asyncio
from datetime import tzinfo

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message

from bot.figures import maps, patrol_map
from bot.people import scope
from bot.texts import Catalogue, Translator
from bot.texts.shares import percent
from handlers.common.filters import HasRole, MenuButton
from storage.db import Database
from storage.models import Area, Person, Role
from storage.types import utcnow


async def send_map(
    message: Message,
    person: Person,
    t: Translator,
    database: Database,
    tz: tzinfo,
    catalogue: Catalogue,
    command: CommandObject | None = None,  # none from the menu's button
) -> None:
    """Leads see their community (or a grid of it); admins the street or any area. The word
    for patrol (in either language) adds the month's patrol tracks and coverage."""
    words = (command.args or "").split() if command else []
    patrol = [word for word in words if catalogue.sub_command("map", word, ("patrol",))]
    rest = " ".join(word for word in words if word not in patrol) or None
    area = await scope.area_for(database, person, rest)
    now = utcnow()
    case_map = await maps.load(database, area, t.language, now)
    if patrol:
        await _send_patrol_map(message, t, database, tz, area, case_map)
        return
    where = scope.area_name(t, area)
    when = now.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    title = t("map.title", area=where, when=when)
    picture = await asyncio.to_thread(maps.render, case_map, t, title)
    caption = t(
        "map.caption", area=where, when=when, open=len(case_map.dots), overdue=case_map.overdue
    )
    await message.answer_photo(BufferedInputFile(picture, filename="map.png"), caption=caption)


async def _send_patrol_map(
    message: Message,
    t: Translator,
    database: Database,
    tz: tzinfo,
    area: Area | None,
    case_map: maps.CaseMap,
) -> None:
    """The case map with the month's patrol tracks, and each grid's coverage labelled."""
    today = utcnow().astimezone(tz).date()
    layer = await patrol_map.load(database, area, today, tz)
    where, month = scope.area_name(t, area), today.strftime("%Y-%m")
    title = t("map.patrol_title", area=where, month=month)
    picture = await asyncio.to_thread(patrol_map.render, case_map, layer, t, title)
    caption = t(
        "map.patrol_caption",
        area=where,
        month=month,
        tracks=len(layer.tracks),
        average=percent(t, layer.average),
    )
    await message.answer_photo(BufferedInputFile(picture, filename="patrol.png"), caption=caption)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private", HasRole(Role.LEAD, Role.ADMIN))
    router.message.register(send_map, Command("map"))
    router.message.register(send_map, MenuButton("menu.map"))
    return router
