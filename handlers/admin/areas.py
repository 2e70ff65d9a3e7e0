"""Areas: /areas shows the tree (leads: their community); an admin sends a .geojson file to
import areas with the same checks as `python -m bot areas import` (a .yaml file, or a .json one
that holds categories, goes to `handlers.admin.categories`)."""

from __future__ import annotations

import io

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.types import Document, Message

from bot.errors import PoliteError
from bot.people import organisation, scope
from bot.places import areas
from bot.texts import Translator
from handlers.admin import categories
from handlers.common.filters import HasRole
from handlers.common.long_text import answer_lines
from storage.db import Database
from storage.models import Person, Role

INDENT = "    "
EXTENSIONS = (".geojson", ".json")


async def show_areas(message: Message, person: Person, t: Translator, database: Database) -> None:
    top = await scope.area_for(database, person, None)
    tree = await organisation.branches(database, top)
    if not tree:
        raise PoliteError("areas.none")
    lines = [t("areas.title")]
    for branch in tree:
        lines.append(
            INDENT * branch.depth
            + t(
                "areas.line",
                code=branch.area.code,
                name=branch.area.name,
                level=t(f"level.{branch.area.level.value}"),
                officers=branch.officers,
                open=branch.open_cases,
            )
        )
    await answer_lines(message, lines)


async def import_upload(message: Message, t: Translator, database: Database, bot: Bot) -> None:
    """A document from an admin outside any conversation: a GeoJSON file of areas, or a file
    of categories (`handlers.admin.categories`)."""
    document = message.document
    assert document is not None
    if categories.is_category_file_name(document):
        await categories.import_upload(message, t, database, bot)
        return
    data = await _read(bot, document)
    if categories.holds_categories(data):
        await categories.import_data(message, t, database, data)
        return
    summary = await areas.import_features(database, areas.parse_upload(data))
    await message.answer(
        t(
            "areas.imported",
            added=len(summary.added),
            updated=len(summary.updated),
            unchanged=summary.unchanged,
            codes=", ".join([*summary.added, *summary.updated]) or "—",
        )
    )


async def _read(bot: Bot, document: Document) -> bytes:
    if not (document.file_name or "").lower().endswith(EXTENSIONS):
        raise PoliteError("areas.wrong_file")
    if (document.file_size or 0) > areas.FILE_LIMIT:
        raise PoliteError("areas.file_too_big", limit=areas.FILE_LIMIT // (1024 * 1024))
    buffer = io.BytesIO()
    await bot.download(document, destination=buffer)
    data = buffer.getvalue()
    if len(data) > areas.FILE_LIMIT:
        raise PoliteError("areas.file_too_big", limit=areas.FILE_LIMIT // (1024 * 1024))
    return data


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(show_areas, Command("areas"), HasRole(Role.LEAD, Role.ADMIN))
    # Image files start a report (handlers.resident.report) and documents inside a conversation
    # belong to it: only other documents an admin sends while idle are area files.
    not_an_image = ~F.document.mime_type.startswith("image/")
    router.message.register(
        import_upload, F.document, not_an_image, StateFilter(None), HasRole(Role.ADMIN)
    )
    return router
