"""/start and /help: what the bot is for, in the person's language, with the menu."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject, CommandStart
from aiogram.types import Message

from bot.people import staff
from bot.reports import posters
from bot.telegram import commands
from bot.telegram.help import help_text
from bot.texts import Catalogue, Translator
from handlers.common.filters import MenuButton
from handlers.common.keyboards import main_menu
from handlers.resident.subscriptions import offer_at_start
from storage.db import Database
from storage.models import Person, Role


async def start(
    message: Message,
    t: Translator,
    person: Person,
    database: Database,
    command: CommandObject | None = None,
) -> None:
    parts = [t("start.greeting", name=person.name or "")]
    if command is not None and command.args:  # a link whose door is gone, or never was
        parts.insert(0, t("doors.unknown_link"))
    if person.role != Role.RESIDENT:
        parts.append(t("start.role", role=t(f"role.{person.role.value}")))
    parts.append(t("start.menu_hint"))
    if offer := await offer_at_start(t, database, person):
        parts.append(offer)
    await message.answer("\n\n".join(parts), reply_markup=main_menu(t, person.role))


async def start_with_invite(
    message: Message,
    command: CommandObject,
    t: Translator,
    person: Person,
    database: Database,
    catalogue: Catalogue,
    bot: Bot,
    language: str,
) -> None:
    """/start inv_TOKEN: a one-time invite makes the person an officer, lead or admin."""
    token = (command.args or "").removeprefix(staff.INVITE_PREFIX)
    appointment = await staff.redeem(database, token, person)
    role = appointment.person.role
    area = appointment.area.name if appointment.area else t("staff.whole_street")
    await message.answer(
        t("staff.welcome", role=t(f"role.{role.value}"), area=area),
        reply_markup=main_menu(t, role),
    )
    await commands.set_personal_commands(bot, catalogue, person.tg_id, role, language)


async def help_(message: Message, t: Translator, person: Person) -> None:
    """What the person's role may use: exactly the commands of their menu."""
    await message.answer(help_text(t, person.role), reply_markup=main_menu(t, person.role))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    invite = CommandStart(deep_link=True, magic=F.args.startswith(staff.INVITE_PREFIX))
    router.message.register(start_with_invite, invite)
    # A poster's link starts a report: the report flow takes it (handlers.resident.report).
    router.message.register(start, CommandStart(magic=~F.args.func(posters.is_poster)))
    router.message.register(help_, Command("help"))
    router.message.register(help_, MenuButton("menu.help"))
    return router
