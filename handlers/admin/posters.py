"""/poster GRID [CATEGORY]: a printable scan-to-report poster of a grid, as a PNG document
(leads: the grids of their community; admins: any grid). A grid's poster comes with a button
per category for its topic posters."""

from __future__ import annotations

import asyncio
import re

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import (
    BufferedInputFile,
    CallbackQuery,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    Message,
)

from bot.errors import PoliteError
from bot.figures import poster
from bot.reports import drafts, posters
from bot.texts import Catalogue, Markup, Translator
from handlers.common.callbacks import PosterMake
from handlers.common.filters import HasRole
from storage.db import Database
from storage.models import Person, Role


async def poster_command(
    message: Message,
    command: CommandObject,
    person: Person,
    t: Translator,
    catalogue: Catalogue,
    database: Database,
    bot: Bot,
) -> None:
    grid, _, category = (command.args or "").strip().partition(" ")
    if not grid:
        raise PoliteError("poster.usage")
    place = await posters.for_staff(database, person, grid, category.strip() or None)
    await _send(bot, message.chat.id, place, t, catalogue, database)


async def poster_button(
    query: CallbackQuery,
    callback_data: PosterMake,
    person: Person,
    t: Translator,
    catalogue: Catalogue,
    database: Database,
    bot: Bot,
) -> None:
    category_id = callback_data.category_id or None
    place = await posters.by_ids(database, person, callback_data.grid_id, category_id)
    await query.answer()
    await _send(bot, query.from_user.id, place, t, catalogue, database)


async def _send(
    bot: Bot,
    chat_id: int,
    place: posters.PosterPlace,
    t: Translator,
    catalogue: Catalogue,
    database: Database,
) -> None:
    me = await bot.me()
    category_id = place.category.id if place.category else None
    link = posters.link(me.username or "", place.grid.id, category_id)
    # Printed for the street's residents: in the street's language, whoever asks.
    printed = catalogue.translator(catalogue.default_language)
    picture = await asyncio.to_thread(poster.render, words(printed, place, link))
    topic = (
        t("poster.caption_category", category=place.category.name(t.language))
        if place.category
        else ""
    )
    caption = t("poster.caption", grid=place.grid.name, category=Markup(topic), link=link)
    markup = None
    if place.category is None:
        caption += "\n" + t("poster.pick_category")
        markup = await _topic_buttons(t, database, place.grid.id)
    await bot.send_document(
        chat_id,
        BufferedInputFile(picture, filename=_file_name(place)),
        caption=caption,
        reply_markup=markup,
    )


def words(t: Translator, place: posters.PosterPlace, link: str) -> poster.PosterWords:
    """What the poster says, in `t`'s language (drawn, not sent: nothing to escape)."""
    street = place.street or place.community
    category = place.category.name(t.language) if place.category else None
    return poster.PosterWords(
        street=street.name if street else "",
        service=t("poster.service"),
        grid=place.grid.name,
        headline=t("poster.headline"),
        link=link,
        category=t("poster.category", category=Markup(category)) if category else None,
        steps=[t("poster.step_scan"), t("poster.step_tell"), t("poster.step_follow")],
        footer=t("poster.emergency"),
    )


async def _topic_buttons(t: Translator, database: Database, grid_id: int) -> InlineKeyboardMarkup:
    buttons = [
        InlineKeyboardButton(
            text=t("poster.button_category", category=category.name(t.language)),
            callback_data=PosterMake(grid_id=grid_id, category_id=category.id).pack(),
        )
        for category in await drafts.categories(database)
    ]
    return InlineKeyboardMarkup(
        inline_keyboard=[buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    )


def _file_name(place: posters.PosterPlace) -> str:
    parts = [place.grid.code, place.category.code if place.category else ""]
    safe = "-".join(re.sub(r"[^A-Za-z0-9_-]", "", part) for part in parts if part)
    return f"poster-{safe or place.grid.id}.png"


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private", HasRole(Role.LEAD, Role.ADMIN))
    router.callback_query.filter(HasRole(Role.LEAD, Role.ADMIN))
    router.message.register(poster_command, Command("poster"))
    router.callback_query.register(poster_button, PosterMake.filter())
    return router
