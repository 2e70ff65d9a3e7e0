"""Command menus per role and language (Telegram bot commands with scopes)."""

from __future__ import annotations

import logging

from aiogram import Bot
from aiogram.types import BotCommand, BotCommandScopeAllPrivateChats, BotCommandScopeChat

from bot.texts import Catalogue
from storage.models import Role

log = logging.getLogger(__name__)

RESIDENT_COMMANDS = (
    "start",
    "report",
    "mycases",
    "mydogs",
    "notices",
    "subscribe",
    "unsubscribe",
    "cancel",
    "help",
    "language",
)
STAFF_COMMANDS = ("queue", "case", "dogs", "dogday", "duties", *RESIDENT_COMMANDS)
AUTHOR_COMMANDS = ("notice", "campaign", "audit", "invite")
# Leads use these for their community, admins for the whole street.
OVERSIGHT_COMMANDS = (
    "find",
    "stats",
    "ranking",
    "map",
    "poster",
    "export",
    "people",
    "areas",
    "categories",
    "dogexport",
    "stations",
)
ADMIN_COMMANDS = ("station", "revoke", "ban", "unban", "failed")
COMMANDS: dict[Role, tuple[str, ...]] = {
    Role.RESIDENT: RESIDENT_COMMANDS,
    Role.OFFICER: (
        "queue",
        "case",
        "dogs",
        "dogday",
        "patrol",
        "duties",
        "onduty",
        "offduty",
        *RESIDENT_COMMANDS,
    ),
    # A volunteer: their group's duties; a group's leader manages its volunteers.
    Role.VOLUNTEER: ("duties", "volunteers", *RESIDENT_COMMANDS),
    Role.LEAD: (*STAFF_COMMANDS, "patrol", "volunteers", *OVERSIGHT_COMMANDS, *AUTHOR_COMMANDS),
    Role.ADMIN: (
        *STAFF_COMMANDS,
        "volunteers",
        *OVERSIGHT_COMMANDS,
        *AUTHOR_COMMANDS,
        *ADMIN_COMMANDS,
    ),
}


def commands_for(catalogue: Catalogue, role: Role, language: str) -> list[BotCommand]:
    """The menu of `role` in `language`."""
    return [
        BotCommand(command=name, description=catalogue.get(language, f"command.{name}"))
        for name in COMMANDS[role]
    ]


async def set_default_commands(bot: Bot, catalogue: Catalogue) -> None:
    """Residents' menu for every private chat: the default language, and each other one."""
    scope = BotCommandScopeAllPrivateChats()
    for language in catalogue.languages:
        code = None if language == catalogue.default_language else language
        await bot.set_my_commands(
            commands_for(catalogue, Role.RESIDENT, language), scope=scope, language_code=code
        )


async def set_personal_commands(
    bot: Bot, catalogue: Catalogue, chat_id: int, role: Role, language: str
) -> None:
    """The menu of one person's chat, for staff roles and people who chose a language."""
    await bot.set_my_commands(
        commands_for(catalogue, role, language), scope=BotCommandScopeChat(chat_id=chat_id)
    )


def staff_only_commands() -> frozenset[str]:
    """Commands some staff role has and residents do not."""
    every = {name for names in COMMANDS.values() for name in names}
    return frozenset(every - set(COMMANDS[Role.RESIDENT]))
