"""A person's command menu after a role change made outside chat. In chat the handler that
changes a role sets the menu at once; the command line (`people add`, `groups add --leader`)
has no bot to ask, so it leaves an owed row (storage.owed) that the running bot's clock
delivers: the person's chat gets the menu of the role they hold by then, in their language."""

from __future__ import annotations

import logging
from datetime import datetime

from aiogram import Bot
from aiogram.exceptions import TelegramAPIError

from bot.telegram import commands
from bot.texts import Catalogue
from storage import owed
from storage.db import Database
from storage.models import Owed, Person

log = logging.getLogger(__name__)

MENU_OWED = "person.menu"


async def owe_menu(database: Database, person_id: int) -> None:
    """The person's menu is to be set by the running bot (their role changed elsewhere)."""
    async with database.transaction() as session:
        await owed.leave(session, MENU_OWED, person_id)


class MenuSetter:
    """Delivers the owed menus: one `set_my_commands` scoped to the person's chat."""

    def __init__(self, database: Database, bot: Bot, catalogue: Catalogue) -> None:
        self.database = database
        self.bot = bot
        self.catalogue = catalogue

    async def deliver(self, row: Owed, now: datetime) -> None:
        async with self.database.sessions() as session:
            person = await session.get(Person, row.subject_id)
        if person is None or not person.reachable:
            return  # gone, or blocked us: their next message (/start) sets it
        language = self.catalogue.language_for(person.language, person.tg_language)
        try:
            await commands.set_personal_commands(
                self.bot, self.catalogue, person.tg_id, person.role, language
            )
        except TelegramAPIError:
            log.warning("could not set the command menu of person %s", person.id, exc_info=True)
