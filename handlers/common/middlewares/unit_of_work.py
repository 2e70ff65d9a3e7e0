"""One unit of work per update: the update's handlers, middlewares and the domain functions they
call share one database session (`storage.db.UnitOfWork`) instead of opening their own."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import BaseMiddleware
from aiogram.types import TelegramObject

from storage.db import Database, UnitOfWork


class UnitOfWorkMiddleware(BaseMiddleware):
    """Gives the update `database` as its unit of work, and the desk working in it."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        unit = UnitOfWork(self.database)
        data["database"] = unit
        if (desk := data.get("desk")) is not None:
            data["desk"] = desk.for_update(unit)
        try:
            return await handler(event, data)
        finally:
            await unit.dispose()
