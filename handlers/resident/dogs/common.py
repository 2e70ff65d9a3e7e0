"""What the dog handlers share: the form's states, a `form` with everything a step needs, and
the filter for words the owner typed."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from typing import Any

from aiogram import BaseMiddleware, Bot
from aiogram.filters import Filter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message, TelegramObject

from bot.config import Settings
from bot.dogs import access, views
from bot.dogs.news import DogNews
from bot.reports.media import MediaStore
from bot.texts import Catalogue, Translator
from handlers.common.keyboards import menu_texts
from storage.db import Database
from storage.models import Area, Dog, Person
from storage.types import utcnow


class DogSteps(StatesGroup):
    """The registration form, in the order its steps are asked."""

    name = State()
    breed = State()
    colour = State()
    size = State()
    sex = State()
    photo = State()
    vaccinated = State()
    certificate = State()
    place = State()
    summary = State()


class DogUpdate(StatesGroup):
    """An owner giving a newer vaccination: its date, its certificate, a photo of it."""

    vaccinated = State()
    certificate = State()
    photo = State()


@dataclass
class Form:
    """Everything a dog handler needs, given by `FormMiddleware` as `form`."""

    bot: Bot
    chat_id: int
    t: Translator
    catalogue: Catalogue
    database: Database
    settings: Settings
    state: FSMContext
    person: Person
    media: MediaStore
    news: DogNews

    @property
    def today(self) -> date:
        return utcnow().astimezone(self.settings.tz).date()

    async def say(self, key: str, **values: Any) -> None:
        markup = values.pop("reply_markup", None)
        await self.bot.send_message(self.chat_id, self.t(key, **values), reply_markup=markup)

    async def step(self) -> str:
        """The registration step the owner is at ("" outside the form)."""
        group, _, step = (await self.state.get_state() or "").partition(":")
        return step if group == DogSteps.__full_group_name__ else ""

    async def updating(self) -> bool:
        group = (await self.state.get_state() or "").partition(":")[0]
        return group == DogUpdate.__full_group_name__

    async def remember(self, **values: Any) -> None:
        data = await self.state.get_data()
        await self.state.update_data(dog={**data.get("dog", {}), **values})

    async def describe(self, dog: Dog) -> str:
        async with self.database.sessions() as session:
            grid = await session.get(Area, dog.area_id) if dog.area_id else None
            community_id = await access.community_of(session, dog.area_id)
            community = await session.get(Area, community_id) if community_id else None
        return views.describe(self.t, dog, views.place_text(self.t, grid, community), self.today)


class FormMiddleware(BaseMiddleware):
    """Inner middleware: builds the `form` only when a dog handler matched."""

    async def __call__(
        self,
        handler: Callable[[TelegramObject, dict[str, Any]], Awaitable[Any]],
        event: TelegramObject,
        data: dict[str, Any],
    ) -> Any:
        data["form"] = Form(
            bot=data["bot"],
            chat_id=data["event_from_user"].id,
            t=data["t"],
            catalogue=data["catalogue"],
            database=data["database"],
            settings=data["settings"],
            state=data["state"],
            person=data["person"],
            media=data["media"],
            news=data["dog_news"],
        )
        return await handler(event, data)


class Typed(Filter):
    """Words the owner typed: not a command, not a menu button (those keep their meaning)."""

    def __init__(self) -> None:
        self._menus: frozenset[str] | None = None

    async def __call__(self, message: Message, catalogue: Catalogue) -> bool:
        if self._menus is None:
            self._menus = menu_texts(catalogue)
        text = message.text or ""
        return bool(text) and not text.startswith("/") and text not in self._menus
