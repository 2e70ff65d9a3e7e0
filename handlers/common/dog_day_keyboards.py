"""Keyboards of immunisation days, and the announcement as each reader gets it from the
outbox (`DayNotice`: the day's text and one booking button per slot, drawn when it is sent)."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.dogs import days
from bot.dogs.bookings import Booked
from bot.texts import Translator as T
from handlers.common.callbacks import (
    CameStep,
    DogBook,
    DogCame,
    DogCameStep,
    DogDayAct,
    DogDayDo,
)
from storage.db import Database
from storage.models import Dog

Markup = InlineKeyboardMarkup


def _button(text: str, data: str) -> InlineKeyboardButton:
    return InlineKeyboardButton(text=text, callback_data=data)


def slots(t: T, seen: days.DayView) -> Markup:
    """One booking button per slot (a full one says so, and the bot refuses it anyway)."""
    rows = []
    for slot in seen.slots:
        key = "dogday.button_full" if slot.booked >= slot.capacity else "dogday.button_book"
        rows.append(
            [_button(t(key, starts=slot.starts, ends=slot.ends), DogBook(slot_id=slot.id).pack())]
        )
    return Markup(inline_keyboard=rows)


def pick_dog(t: T, slot_id: int, dogs: Sequence[Dog]) -> Markup:
    return Markup(
        inline_keyboard=[
            [
                _button(
                    t("dogday.button_dog", name=dog.name),
                    DogBook(slot_id=slot_id, dog_id=dog.id).pack(),
                )
            ]
            for dog in dogs
        ]
    )


def preview(t: T, day_id: int) -> Markup:
    return Markup(
        inline_keyboard=[
            [
                _button(
                    t("dogday.button_announce"),
                    DogDayAct(day_id=day_id, action=DogDayDo.ANNOUNCE).pack(),
                ),
                _button(
                    t("dogday.button_discard"),
                    DogDayAct(day_id=day_id, action=DogDayDo.DISCARD).pack(),
                ),
            ]
        ]
    )


def day_list(t: T, seen: Sequence[days.DayView]) -> Markup:
    return Markup(
        inline_keyboard=[
            [
                _button(
                    t("dogday.button_day", date=s.day.day.isoformat(), place=s.day.place),
                    DogDayAct(day_id=s.day.id, action=DogDayDo.BOOKINGS).pack(),
                )
            ]
            for s in seen
        ]
    )


def attendance(t: T, booked: Sequence[Booked]) -> Markup | None:
    rows = [
        [
            _button(
                t("dogday.button_came", name=b.dog.name, starts=b.slot.starts),
                DogCame(booking_id=b.booking.id).pack(),
            )
        ]
        for b in booked
        if b.booking.attended_at is None
    ]
    return Markup(inline_keyboard=rows) if rows else None


def certificate(t: T, booking_id: int) -> Markup:
    """The new certificate number is typed; a tap when there is none, Back and Cancel."""

    def step(key: str, step: CameStep) -> InlineKeyboardButton:
        return _button(t(key), DogCameStep(booking_id=booking_id, step=step).pack())

    return Markup(
        inline_keyboard=[
            [step("dogday.button_no_certificate", CameStep.NO_CERTIFICATE)],
            [step("dogs.button_back", CameStep.BACK), step("dogs.button_cancel", CameStep.CANCEL)],
        ]
    )


class DayNotice:
    """The sender's view of an announcement (`Sender(subjects={days.SUBJECT: ...})`)."""

    def __init__(self, database: Database) -> None:
        self.database = database

    async def __call__(self, day_id: int, t: T) -> tuple[str, Markup | None] | None:
        seen = await days.view(self.database, day_id)
        if seen is None:
            return None
        return days.describe(t, seen), slots(t, seen)
