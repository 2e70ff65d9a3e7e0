"""People: /people [area] for leads and admins; /revoke, /ban and /unban for admins."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.config import Settings
from bot.errors import PoliteError
from bot.people import bans, organisation, scope, staff
from bot.people.registration import lookup
from bot.telegram import commands
from bot.texts import Catalogue, Translator
from handlers.common.filters import HasRole
from handlers.common.long_text import answer_lines
from storage.db import Database
from storage.models import AreaLevel, Person, Role

log = logging.getLogger(__name__)
INDENT = "    "


async def show_people(
    message: Message, command: CommandObject, person: Person, t: Translator, database: Database
) -> None:
    top = await scope.area_for(database, person, command.args)
    lines = [t("people.title", area=scope.area_name(t, top))]
    if top is None:
        lines.append(t("people.street_admins"))
        lines += [INDENT + _person_line(t, p) for p in await organisation.unbound_admins(database)]
    for branch in await organisation.branches(database, top):
        indent = INDENT * branch.depth
        lines.append(indent + t("people.area", name=branch.area.name, code=branch.area.code))
        lines += [indent + INDENT + _person_line(t, p) for p in branch.people]
        if branch.area.level == AreaLevel.GRID and branch.officers == 0:
            lines.append(indent + INDENT + t("people.no_officer"))
    await answer_lines(message, lines)


def _person_line(t: Translator, person: Person) -> str:
    line = t(
        "people.person",
        role=t(f"role.{person.role.value}"),
        name=person.name or "—",
        username=f" @{person.username}" if person.username else "",
        tg_id=person.tg_id,
    )
    if person.role == Role.OFFICER:
        line += t("people.on_duty" if person.on_duty else "people.off_duty")
        if person.backup:
            line += t("people.backup")
    return line


async def revoke(
    message: Message,
    command: CommandObject,
    person: Person,
    t: Translator,
    database: Database,
    bot: Bot,
    catalogue: Catalogue,
    settings: Settings,
) -> None:
    """/revoke ID|@username: a staff member becomes a resident, with a resident's menu."""
    if not command.args:
        raise PoliteError("revoke.usage")
    target = await lookup(database, command.args.split()[0])
    if target.id == person.id:
        raise PoliteError("revoke.self")
    former = target.role
    revoked = await staff.revoke(database, target, settings.admin_ids)
    language = catalogue.language_for(revoked.language, revoked.tg_language)
    try:
        await commands.set_personal_commands(bot, catalogue, revoked.tg_id, Role.RESIDENT, language)
    except TelegramAPIError:
        log.warning("could not reset the menu of person %s", revoked.id, exc_info=True)
    await message.answer(t("revoke.done", name=_name(revoked), role=t(f"role.{former.value}")))


async def ban(
    message: Message, command: CommandObject, person: Person, t: Translator, database: Database
) -> None:
    """/ban ID|@username [reason]: no new reports from this resident."""
    parts = (command.args or "").split(maxsplit=1)
    if not parts:
        raise PoliteError("ban.usage")
    target = await lookup(database, parts[0])
    await bans.ban(database, target, person, parts[1] if len(parts) > 1 else "")
    await message.answer(t("ban.done", name=_name(target)))


async def unban(
    message: Message, command: CommandObject, person: Person, t: Translator, database: Database
) -> None:
    if not command.args:
        raise PoliteError("ban.unban_usage")
    target = await lookup(database, command.args.split()[0])
    await bans.unban(database, target, person)
    await message.answer(t("ban.lifted", name=_name(target)))


def _name(person: Person) -> str:
    return person.name or str(person.tg_id)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(show_people, Command("people"), HasRole(Role.LEAD, Role.ADMIN))
    admins = HasRole(Role.ADMIN)
    router.message.register(revoke, Command("revoke"), admins)
    router.message.register(ban, Command("ban"), admins)
    router.message.register(unban, Command("unban"), admins)
    return router
