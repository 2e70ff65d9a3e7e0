"""What no other router took: a polite pointer to /help, and stale or forged buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.telegram.commands import staff_only_commands
from bot.texts import Translator


async def not_allowed(message: Message, t: Translator) -> None:
    await message.answer(t("error.not_allowed"))


async def unknown_message(message: Message, t: Translator) -> None:
    await message.answer(t("unknown.message"))


async def unknown_button(query: CallbackQuery, t: Translator) -> None:
    await query.answer(t("error.stale_button"), show_alert=True)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(not_allowed, Command(*staff_only_commands()))
    router.message.register(unknown_message)
    router.callback_query.register(unknown_button)
    return router
