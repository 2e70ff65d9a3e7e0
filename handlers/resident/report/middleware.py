"""Gives every report handler a `flow`: the person, their draft, their language and the tools."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import CallbackQuery, TelegramObject

from bot.reports import drafts
from handlers.resident.report.steps import Flow


class FlowMiddleware(BaseMiddleware):
    """Inner middleware: runs only when a report handler matched, so it costs nothing else."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        person = data["person"]
        database = data["database"]
        data["flow"] = Flow(
            bot=data["bot"],
            chat_id=data["event_from_user"].id,
            t=data["t"],
            language=data["language"],
            database=database,
            settings=data["settings"],
            state=data["state"],
            person=person,
            draft=await drafts.draft_of(database, person.id),
            media=data["media"],
            desk=data["desk"],
            message_id=_pressed_on(event),
        )
        return await handler(event, data)


def _pressed_on(event: TelegramObject) -> int | None:
    """The message whose button was pressed (a step may replace it)."""
    if isinstance(event, CallbackQuery) and event.message is not None:
        return event.message.message_id
    return None
