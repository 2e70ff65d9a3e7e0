"""/map [area]: a picture of the area's grids with its open cases (leads and admins)."""

from __future__ import annotations

import asyncio
from datetime import tzinfo

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import BufferedInputFile, Message

from bot.figures import maps
from bot.people import scope
from bot.texts import Translator
from handlers.common.filters import HasRole, MenuButton
from storage.db import Database
from storage.models import Person, Role
from storage.types import utcnow


async def send_map(
    message: Message,
    person: Person,
    t: Translator,
    database: Database,
    tz: tzinfo,
    command: CommandObject | None = None,  # none from the menu's button
) -> None:
    """Leads see their community (or a grid of it); admins the street or any area."""
    args = command.args if command else None
    area = await scope.area_for(database, person, args)
    now = utcnow()
    case_map = await maps.load(database, area, t.language, now)
    where = scope.area_name(t, area)
    when = now.astimezone(tz).strftime("%Y-%m-%d %H:%M")
    title = t("map.title", area=where, when=when)
    picture = await asyncio.to_thread(maps.render, case_map, t, title)
    caption = t(
        "map.caption", area=where, when=when, open=len(case_map.dots), overdue=case_map.overdue
    )
    await message.answer_photo(BufferedInputFile(picture, filename="map.png"), caption=caption)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private", HasRole(Role.LEAD, Role.ADMIN))
    router.message.register(send_map, Command("map"))
    router.message.register(send_map, MenuButton("menu.map"))
    return router
