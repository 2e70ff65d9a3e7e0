"""Registers or refreshes the sender of every update; gives handlers `person` and `t`."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.exceptions import TelegramAPIError
from aiogram.types import TelegramObject, Update, User

from bot.people.registration import Visitor, register
from bot.telegram import commands
from bot.texts import Catalogue
from storage.db import Database
from storage.models import Person

log = logging.getLogger(__name__)


class PersonMiddleware(BaseMiddleware):
    def __init__(self, database: Database, catalogue: Catalogue, admin_ids: frozenset[int]) -> None:
        self.database = database
        self.catalogue = catalogue
        self.admin_ids = admin_ids

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        user: User | None = data.get("event_from_user")
        data["person"] = None
        language = self.catalogue.default_language
        if user is not None and not user.is_bot:
            # A my_chat_member update may say the user just blocked us: it must not undo that.
            reachable = not (isinstance(event, Update) and event.my_chat_member is not None)
            registration = await register(
                data.get("database", self.database),
                _visitor(user),
                self.admin_ids,
                reachable=reachable,
            )
            person = registration.person
            data["person"] = person
            language = self.catalogue.language_for(person.language, person.tg_language)
            if registration.role_changed:
                await self._update_menu(data["bot"], user.id, person, language)
        data["language"] = language
        data["t"] = self.catalogue.translator(language)
        return await handler(event, data)

    async def _update_menu(self, bot: Bot, chat_id: int, person: Person, language: str) -> None:
        try:
            await commands.set_personal_commands(
                bot, self.catalogue, chat_id, person.role, language
            )
        except TelegramAPIError:
            log.warning("could not set the command menu of person %s", person.id, exc_info=True)


def _visitor(user: User) -> Visitor:
    return Visitor(
        tg_id=user.id,
        name=user.full_name,
        username=user.username,
        language_code=user.language_code,
    )
