"""Filters shared by the routers."""

from __future__ import annotations

from aiogram.filters import Filter
from aiogram.types import Message

from bot.texts import Catalogue
from handlers.common.keyboards import menu_texts
from storage.models import Person, Role


class HasRole(Filter):
    """The sender is registered with one of `roles` (checked on the server, from the database)."""

    def __init__(self, *roles: Role) -> None:
        self.roles = frozenset(roles)

    async def __call__(self, event: object, person: Person | None = None) -> bool:
        return person is not None and person.role in self.roles and not person.banned


class MenuButton(Filter):
    """A reply-keyboard button, recognised by its text in any language."""

    def __init__(self, key: str) -> None:
        self.key = key

    async def __call__(self, message: Message, catalogue: Catalogue) -> bool:
        return message.text is not None and message.text in catalogue.every(self.key)


class NotAMenuOrCommand(Filter):
    """A message that is neither a command nor a menu button (words or a photo for a case)."""

    def __init__(self) -> None:
        self._menus: frozenset[str] | None = None  # every menu button's text, read once

    async def __call__(self, message: Message, catalogue: Catalogue) -> bool:
        if self._menus is None:
            self._menus = menu_texts(catalogue)
        text = message.text or ""
        return not text.startswith("/") and text not in self._menus
