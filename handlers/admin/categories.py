"""/categories: deadlines, urgency, department and whether residents see each category (leads
and admins); admins change one field at a time: `/categories CODE accept 30m`."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.cases import lifecycle
from bot.categories import departments
from bot.categories import table as categories
from bot.errors import PoliteError
from bot.texts import Translator
from handlers.common.durations import duration_text
from handlers.common.filters import HasRole
from handlers.common.long_text import answer_lines
from storage.db import Database
from storage.models import Category, Person, Role


async def show_or_change(
    message: Message, command: CommandObject, person: Person, t: Translator, database: Database
) -> None:
    if not command.args:
        await _show(message, person, t, database)
        return
    if person.role != Role.ADMIN:
        raise PoliteError("error.not_allowed")
    parts = command.args.split(maxsplit=2)
    if len(parts) < 3:
        raise PoliteError("categories.usage")
    code, field, value = parts
    changed = await categories.change(database, code, field.lower(), value, person)
    await message.answer(t("categories.changed") + "\n" + _line(t, changed))


async def _show(message: Message, person: Person, t: Translator, database: Database) -> None:
    lines = [t("categories.title")]
    lines += [_line(t, category) for category in await categories.every(database)]
    if person.role == Role.ADMIN:
        lines += ["", t("categories.how_to_change")]
    await answer_lines(message, lines)


def _line(t: Translator, category: Category) -> str:
    line = _fields(t, category)
    danger = [
        option.get(t.language) or option["zh"]
        for question in category.questions
        for option in question["options"]
        if option.get("urgent")
    ]
    if not danger:
        return line
    accept, resolve = lifecycle.deadlines_of(category, urgent=True)
    return line + t(
        "categories.danger_answers",
        answers=" / ".join(danger),
        accept=duration_text(t, accept),
        resolve=duration_text(t, resolve),
    )


def _fields(t: Translator, category: Category) -> str:
    return t(
        "categories.line",
        code=category.code,
        name=category.name(t.language),
        accept=duration_text(t, category.accept_minutes),
        resolve=duration_text(t, category.resolve_minutes),
        urgent=t("categories.urgent") if category.urgent else "",
        department=departments.department_name(t, category.department),
        active="" if category.active else t("categories.inactive"),
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(show_or_change, Command("categories"), HasRole(Role.LEAD, Role.ADMIN))
    return router
