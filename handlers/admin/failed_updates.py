"""Admin tools of the foundation: /failed lists updates that failed and are kept."""

from __future__ import annotations

from datetime import tzinfo

from aiogram import Bot, F, Router
from aiogram.filters import Command
from aiogram.types import Message

from bot.telegram.session import MESSAGE_LIMIT
from bot.texts import Translator
from handlers.common.filters import HasRole
from storage import updates as journal
from storage.db import Database
from storage.models import Role

FAILED_SHOWN = 10


async def failed(message: Message, t: Translator, database: Database, bot: Bot, tz: tzinfo) -> None:
    records = await journal.failed_updates(database, bot.id, limit=FAILED_SHOWN)
    if not records:
        await message.answer(t("failed.none"))
        return
    lines = [t("failed.header", count=len(records))]
    for record in records:
        error_line = (record.error or "").strip().splitlines()[-1:] or [""]
        lines.append(
            t(
                "failed.item",
                update_id=record.update_id,
                attempts=record.attempts,
                when=record.updated_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                error=error_line[0][:200],
            )
        )
    await message.answer("\n\n".join(lines)[:MESSAGE_LIMIT])


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private", HasRole(Role.ADMIN))
    router.message.register(failed, Command("failed"))
    return router
