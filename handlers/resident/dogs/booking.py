"""An owner books a slot of an immunisation day from its announcement: with one registered
dog in the area it is booked at once, with several the owner picks which."""

from __future__ import annotations

from datetime import tzinfo

from aiogram import Router
from aiogram.types import CallbackQuery

from bot.dogs import bookings
from bot.dogs.rules import DogError
from bot.texts import Translator
from handlers.common import dog_day_keyboards as kb
from handlers.common.callbacks import DogBook
from storage.db import Database
from storage.models import Person
from storage.types import utcnow


async def book(
    query: CallbackQuery,
    callback_data: DogBook,
    person: Person,
    t: Translator,
    database: Database,
    tz: tzinfo,
) -> None:
    today = utcnow().astimezone(tz).date()
    dog_id = callback_data.dog_id
    if dog_id == 0:
        dogs = await bookings.bookable(database, person, callback_data.slot_id, today)
        if not dogs:
            raise DogError("dogday.no_dog")
        if len(dogs) > 1:
            await query.answer()
            if query.message is not None:
                await query.message.answer(
                    t("dogday.pick_dog"), reply_markup=kb.pick_dog(t, callback_data.slot_id, dogs)
                )
            return
        dog_id = dogs[0].id
    booked = await bookings.book(database, person, callback_data.slot_id, dog_id, today)
    text = t(
        "dogday.booked",
        name=booked.dog.name,
        date=booked.day.day.isoformat(),
        starts=booked.slot.starts,
        ends=booked.slot.ends,
        place=booked.day.place,
    )
    await query.answer(t("dogday.booked_short"))
    if query.message is not None:
        await query.message.answer(text)


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(book, DogBook.filter())
    return router
