"""Department groups: an admin sends /bindgroup CODE in the group to bind it to a department."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.categories import departments
from bot.errors import PoliteError
from bot.texts import Translator
from storage.db import Database
from storage.models import Person, Role


async def bind_group(
    message: Message,
    command: CommandObject,
    person: Person | None,
    t: Translator,
    database: Database,
) -> None:
    if person is None or person.role != Role.ADMIN:
        raise PoliteError("error.not_allowed")
    code = (command.args or "").strip().lower()
    known = await departments.departments(database)
    if code not in known:  # said with each department's name (bind checks it too)
        codes = t("list.names").join(departments.with_name(t, known_code) for known_code in known)
        raise PoliteError("groups.unknown_department", codes=codes)
    await departments.bind(database, code, message.chat.id, message.chat.title or "", person.id)
    await message.answer(t("groups.bound", department=departments.department_name(t, code)))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type.in_({"group", "supergroup"}))
    router.message.register(bind_group, Command("bindgroup"))
    return router
