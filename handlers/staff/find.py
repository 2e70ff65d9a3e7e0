"""/find QUERY: cases by number, words, status:, area:, category: (leads: their community)."""

from __future__ import annotations

from datetime import tzinfo

from aiogram import F, Router
from aiogram.filters import Command, CommandObject
from aiogram.types import Message

from bot.cases import find
from bot.errors import PoliteError
from bot.texts import Translator
from handlers.common.filters import HasRole
from handlers.common.long_text import answer_lines
from storage.db import Database
from storage.models import Person, Role


async def find_cases(
    message: Message,
    command: CommandObject,
    person: Person,
    t: Translator,
    database: Database,
    tz: tzinfo,
) -> None:
    """Number, status, category, area and filing date of each case; never who reported it."""
    found, total = await find.find(database, person, command.args or "", t)
    if not found:
        raise PoliteError("find.nothing")
    lines = [t("find.title", total=total, shown=len(found))]
    for row in found:
        filed = row.case.submitted_at or row.case.created_at
        lines.append(
            t(
                "find.line",
                number=row.case.number or "",
                status=t(f"status.{row.case.status.value}"),
                category=row.category.name(t.language) if row.category else "—",
                area=row.area.name if row.area else t("find.no_area"),
                filed=filed.astimezone(tz).strftime("%Y-%m-%d"),
            )
        )
    await answer_lines(message, lines)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(find_cases, Command("find"), HasRole(Role.LEAD, Role.ADMIN))
    return router
