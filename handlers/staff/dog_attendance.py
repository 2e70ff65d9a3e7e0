"""Staff mark that a booked dog came to its immunisation day: the "came" button asks the new
certificate number (typed, or one tap when there is none; Back and Cancel), then the dog's
vaccination is renewed with it. The question's state lives with the other forms' (a restart
keeps it); the registry checks who may mark the dog, at the button and again at the end."""

from __future__ import annotations

from contextlib import suppress
from datetime import date, tzinfo

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.dogs import bookings
from bot.dogs.bookings import Booked
from bot.dogs.rules import DogError
from bot.texts import Catalogue, Translator
from handlers.common import dog_day_keyboards as kb
from handlers.common.callbacks import CameStep, DogCame, DogCameStep
from handlers.staff.dog_days import bookings_view
from storage.db import Database
from storage.models import Person
from storage.types import utcnow

RETYPE = frozenset({"dogs.bad_certificate", "dogs.bad_text", "dogs.too_long"})


class Attendance(StatesGroup):
    certificate = State()


def _today(tz: tzinfo) -> date:
    return utcnow().astimezone(tz).date()


def _came_text(t: Translator, marked: Booked) -> str:
    date_text = marked.dog.vaccinated_on.isoformat()
    return t(
        "dogday.came_certificate",
        name=marked.dog.name,
        date=date_text,
        number=marked.dog.certificate,
    )


async def came(
    query: CallbackQuery,
    callback_data: DogCame,
    person: Person,
    t: Translator,
    database: Database,
    tz: tzinfo,
    state: FSMContext,
    bot: Bot,
) -> None:
    booked = await bookings.attendable(database, callback_data.booking_id, person, _today(tz))
    await state.set_state(Attendance.certificate)
    await state.update_data(came_booking=booked.booking.id)
    await query.answer()
    await bot.send_message(
        person.tg_id,
        t("dogday.ask_certificate", name=booked.dog.name, number=booked.dog.number or ""),
        reply_markup=kb.certificate(t, booked.booking.id),
    )


async def typed_certificate(
    message: Message,
    person: Person,
    t: Translator,
    database: Database,
    catalogue: Catalogue,
    tz: tzinfo,
    state: FSMContext,
) -> None:
    booking_id = int((await state.get_data()).get("came_booking") or 0)
    try:
        marked = await bookings.attend(
            database, catalogue, booking_id, person, _today(tz), certificate=message.text or ""
        )
    except DogError as error:
        if error.key not in RETYPE:
            await state.clear()
            raise
        await message.answer(
            t(error.key, **error.values), reply_markup=kb.certificate(t, booking_id)
        )
        return
    await state.clear()
    await message.answer(_came_text(t, marked))


async def certificate_step(
    query: CallbackQuery,
    callback_data: DogCameStep,
    person: Person,
    t: Translator,
    database: Database,
    catalogue: Catalogue,
    tz: tzinfo,
    state: FSMContext,
) -> None:
    asked = await state.get_state() == Attendance.certificate.state
    if not asked or (await state.get_data()).get("came_booking") != callback_data.booking_id:
        raise DogError("error.stale_button")
    booking_id = callback_data.booking_id
    markup = None
    if callback_data.step is CameStep.NO_CERTIFICATE:
        marked = await bookings.attend(database, catalogue, booking_id, person, _today(tz))
        text = t("dogday.came", name=marked.dog.name, date=marked.dog.vaccinated_on.isoformat())
    elif callback_data.step is CameStep.BACK:  # the day's bookings again, to pick a dog
        booked = await bookings.attendable(database, booking_id, person, _today(tz))
        text, markup = await bookings_view(database, person, t, booked.day.id)
    else:
        text = t("dogday.came_cancelled")
    await state.clear()
    await query.answer()
    if query.message is not None:
        with suppress(TelegramBadRequest):
            await query.bot.edit_message_text(  # type: ignore[union-attr]
                text,
                chat_id=query.message.chat.id,
                message_id=query.message.message_id,
                reply_markup=markup,
            )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.callback_query.register(came, DogCame.filter())  # the registry checks who
    router.callback_query.register(certificate_step, DogCameStep.filter())
    router.message.register(typed_certificate, Attendance.certificate, F.text)
    return router
