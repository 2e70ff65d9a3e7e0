"""/language: the person chooses Chinese or English, and the choice is remembered."""

from __future__ import annotations

from contextlib import suppress

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.people.registration import set_language
from bot.telegram import commands
from bot.texts import Catalogue, Translator
from handlers.common.callbacks import LanguageChoice
from handlers.common.filters import MenuButton
from handlers.common.keyboards import language_choice, main_menu
from storage.db import Database
from storage.models import Person


async def ask_language(message: Message, t: Translator, language: str) -> None:
    await message.answer(t("language.choose"), reply_markup=language_choice(t, language))


async def choose_language(
    query: CallbackQuery,
    callback_data: LanguageChoice,
    person: Person,
    database: Database,
    catalogue: Catalogue,
    bot: Bot,
) -> None:
    code = callback_data.code
    if code not in catalogue.languages:
        t = catalogue.translator_for(person.language, person.tg_language)
        await query.answer(t("language.unknown"), show_alert=True)
        return
    previous = catalogue.language_for(person.language, person.tg_language)
    await set_language(database, person.id, code)
    t = catalogue.translator(code)
    await query.answer()
    if query.message is not None and code != previous:
        # The buttons may be too old to edit; the choice is made all the same.
        with suppress(TelegramBadRequest):
            await bot.edit_message_reply_markup(
                chat_id=query.message.chat.id,
                message_id=query.message.message_id,
                reply_markup=language_choice(t, code),
            )
    await bot.send_message(person.tg_id, t("language.set"), reply_markup=main_menu(t, person.role))
    await commands.set_personal_commands(bot, catalogue, person.tg_id, person.role, code)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.register(ask_language, Command("language"), F.chat.type == "private")
    router.message.register(ask_language, MenuButton("menu.language"), F.chat.type == "private")
    router.callback_query.register(choose_language, LanguageChoice.filter())
    return router
