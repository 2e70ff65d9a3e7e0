"""/start and /help: what the bot is for, in the person's language, with the menu."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandStart
from aiogram.types import Message

from bot.texts import Translator
from handlers.filters import MenuButton
from handlers.keyboards import main_menu
from storage.models import Person, Role


async def start(message: Message, t: Translator, person: Person) -> None:
    parts = [t("start.greeting", name=person.name or "")]
    if person.role != Role.RESIDENT:
        parts.append(t("start.role", role=t(f"role.{person.role.value}")))
    parts.append(t("start.menu_hint"))
    await message.answer("\n\n".join(parts), reply_markup=main_menu(t))


async def help_(message: Message, t: Translator, person: Person) -> None:
    text = t("help.resident")
    if person.role != Role.RESIDENT:
        text += "\n" + t("help.staff", role=t(f"role.{person.role.value}"))
    if person.role == Role.ADMIN:
        text += t("help.admin")
    await message.answer(text, reply_markup=main_menu(t))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(start, CommandStart())
    router.message.register(help_, Command("help"))
    router.message.register(help_, MenuButton("menu.help"))
    return router
