"""/volunteers: a residents' group's leader (and the community's leads, the street's admins)
lists the group's volunteer patrol team, adds and removes volunteers; leads and admins set up
groups and their leaders. Every rule is `bot.people.groups`'; a new or removed volunteer is
told and gets their menu.

    /volunteers [list]                   the teams the person manages
    /volunteers add ID|@name [GROUP]     a resident becomes a volunteer of the group
    /volunteers remove ID|@name [GROUP]  a volunteer is a resident again
    /volunteers leader ID|@name GROUP    the group's leader (leads, admins)
    /volunteers group CODE COMMUNITY NAME  a new residents' group (leads, admins)

The sub-words may be typed in Chinese too (添加, 移除, 组长, 小组, 列表: the catalogues')."""

from __future__ import annotations

import logging

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramAPIError
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.errors import PoliteError
from bot.people import groups
from bot.people.registration import lookup
from bot.telegram import commands
from bot.texts import Catalogue, Translator
from handlers.common.filters import HasRole
from handlers.common.keyboards import main_menu
from handlers.common.long_text import answer_lines
from storage.db import Database
from storage.models import Person, ResidentGroup, Role

log = logging.getLogger(__name__)

# The sub-words, each in either language (`volunteers.word_<name>`: 列表, 添加, 移除, 组长, 小组).
SUB_COMMANDS = ("list", "add", "remove", "leader", "group")


async def volunteers(
    message: Message,
    command: CommandObject,
    person: Person,
    t: Translator,
    database: Database,
    bot: Bot,
    catalogue: Catalogue,
) -> None:
    words = (command.args or "").split() or ["list"]
    action = catalogue.sub_command("volunteers", words[0], SUB_COMMANDS) or ""
    rest = words[1:]
    if action == "list" and not rest:
        await _list(message, person, t, database)
    elif action == "group" and len(rest) >= 3:
        group = await groups.set_up(database, rest[0], " ".join(rest[2:]), rest[1], by=person)
        await message.answer(t("groups.set_up", name=group.name, code=group.code))
    elif action in ("add", "remove", "leader") and 1 <= len(rest) <= 2:
        target = await lookup(database, rest[0])
        group = await _group(database, person, rest[1] if len(rest) > 1 else None)
        changed = await _change(message, action, person, target, group, t, database)
        await _tell(bot, catalogue, changed, action, group)
    else:
        raise PoliteError("volunteers.usage")


async def _change(
    message: Message,
    action: str,
    person: Person,
    target: Person,
    group: ResidentGroup,
    t: Translator,
    database: Database,
) -> Person:
    if action == "add":
        changed = await groups.add(database, group, target, by=person)
    elif action == "remove":
        changed = await groups.remove(database, group, target, by=person)
    else:
        changed = await groups.set_leader(database, group, target, by=person)
    name = target.name or str(target.tg_id)
    await message.answer(t(f"volunteers.{action}_done", name=name, group=group.name))
    return changed


async def _group(database: Database, person: Person, code: str | None) -> ResidentGroup:
    """The group named, or the only one the person manages."""
    if code is not None:
        return await groups.find(database, code)
    mine = await groups.led_by(database, person)
    if len(mine) != 1:
        codes = ", ".join(group.code for group in mine) or "—"
        raise PoliteError("volunteers.which_group", codes=codes)
    return mine[0]


async def _list(message: Message, person: Person, t: Translator, database: Database) -> None:
    mine = await groups.led_by(database, person)
    if not mine:
        raise PoliteError("volunteers.no_groups")
    lines: list[str] = []
    for group in mine:
        team = await groups.team(database, group)
        leader = team.leader.name or str(team.leader.tg_id) if team.leader else "—"
        lines.append(
            t(
                "volunteers.team",
                name=group.name,
                code=group.code,
                leader=leader,
                count=len(team.volunteers),
            )
        )
        lines += [
            t("volunteers.member", name=v.name or "—", tg_id=v.tg_id) for v in team.volunteers
        ]
    await answer_lines(message, lines)


async def _tell(
    bot: Bot, catalogue: Catalogue, target: Person, action: str, group: ResidentGroup
) -> None:
    """The volunteer learns of it, with the menu of their role now."""
    if not target.reachable or (action == "leader" and target.role != Role.VOLUNTEER):
        return
    language = catalogue.language_for(target.language, target.tg_language)
    t = catalogue.translator_for(target.language, target.tg_language)
    key = "volunteers.farewell" if action == "remove" else "volunteers.welcome"
    try:
        await commands.set_personal_commands(bot, catalogue, target.tg_id, target.role, language)
        await bot.send_message(
            target.tg_id, t(key, group=group.name), reply_markup=main_menu(t, target.role)
        )
    except TelegramAPIError:
        log.warning("volunteer %s not told of %s", target.id, action, exc_info=True)


def create_router() -> Router:
    router = Router(name=__name__)
    managers = HasRole(Role.VOLUNTEER, Role.LEAD, Role.ADMIN)
    router.message.register(volunteers, F.chat.type == "private", Command("volunteers"), managers)
    return router
