"""/categories: deadlines, urgency, department and whether residents see each category (leads
and admins); admins change one field at a time: `/categories CODE accept 30m`, or send a whole
categories file (.yaml, or .json with a `categories` list), checked as
`python -m bot categories import` checks it."""

from __future__ import annotations

import io
import json

from aiogram import Bot, F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Document, Message

from bot.cases import lifecycle
from bot.categories import answers, departments, importing, spec
from bot.categories import table as categories
from bot.errors import PoliteError
from bot.texts import Catalogue, Translator
from handlers.common.durations import duration_text
from handlers.common.filters import HasRole
from handlers.common.long_text import answer_lines
from storage.db import Database
from storage.models import Category, Person, Role

SWITCHES = ("urgent", "active")


async def show_or_change(
    message: Message,
    command: CommandObject,
    person: Person,
    t: Translator,
    database: Database,
    catalogue: Catalogue,
) -> None:
    """/categories, or (admins) /categories CODE FIELD VALUE: the field and the switch's value
    in either language (受理时限 30m, 紧急 开, 部门 无)."""
    if not command.args:
        await _show(message, person, t, database)
        return
    if person.role != Role.ADMIN:
        raise PoliteError("error.not_allowed")
    parts = command.args.split(maxsplit=2)
    if len(parts) < 3:
        raise PoliteError("categories.usage")
    code, field, value = parts
    field = catalogue.sub_command("categories", field, categories.FIELDS) or field.lower()
    if field in SWITCHES:
        value = catalogue.sub_command("categories", value, ("on", "off")) or value
    elif field == "department":
        value = catalogue.sub_command("categories", value, ("none",)) or value
    changed = await categories.change(database, code, field, value, person)
    await message.answer(t("categories.changed") + "\n" + _line(t, changed))


async def _show(message: Message, person: Person, t: Translator, database: Database) -> None:
    lines = [t("categories.title")]
    lines += [_line(t, category) for category in await categories.every(database)]
    if person.role == Role.ADMIN:
        lines += ["", t("categories.how_to_change")]
    await answer_lines(message, lines)


def _line(t: Translator, category: Category) -> str:
    line = _fields(t, category)
    danger = [option.get(t.language) or option["zh"] for option in answers.danger_options(category)]
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


YAML_EXTENSIONS = (".yaml", ".yml")


def is_category_file_name(document: Document) -> bool:
    """Whether a document is named as a categories file (JSON ones are told by their content)."""
    return (document.file_name or "").lower().endswith(YAML_EXTENSIONS)


def holds_categories(data: bytes) -> bool:
    """Whether JSON bytes are a categories file rather than areas."""
    try:
        return spec.is_categories_file(json.loads(data.decode("utf-8-sig")))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return False


async def import_upload(message: Message, t: Translator, database: Database, bot: Bot) -> None:
    """A .yaml categories file from an idle admin (routed here by `handlers.admin.areas`)."""
    document = message.document
    assert document is not None
    if (document.file_size or 0) > spec.FILE_LIMIT:
        await message.answer(spec.too_big().text(t))
        return
    buffer = io.BytesIO()
    await bot.download(document, destination=buffer)
    await import_data(message, t, database, buffer.getvalue())


async def import_data(message: Message, t: Translator, database: Database, data: bytes) -> None:
    """Import a categories file's bytes and say what was added, changed and left alone."""
    try:
        summary = await importing.import_data(database, data)
    except spec.CategoryFileError as error:
        await answer_lines(message, error.text(t).split("\n"))
        return
    await message.answer(importing.summary_text(t, summary))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(show_or_change, Command("categories"), HasRole(Role.LEAD, Role.ADMIN))
    return router
