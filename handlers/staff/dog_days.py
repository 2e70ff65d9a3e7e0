"""Immunisation days for staff: `/dogday DATE HOURS MINUTES CAPACITY PLACE` drafts one (an
admin may put a community's code, or the street's, first) and shows it with Announce and
Cancel; `/dogday` alone lists the days with their bookings, where staff mark who came
(`dog_attendance`)."""

from __future__ import annotations

from contextlib import suppress
from datetime import date, timedelta, tzinfo

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command, CommandObject
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.config import Settings
from bot.dogs import bookings, days
from bot.dogs.day_rules import parse_plan
from bot.dogs.rules import DogError
from bot.texts import Translator
from handlers.common import dog_day_keyboards as kb
from handlers.common.callbacks import DogDayAct, DogDayDo
from handlers.common.filters import HasRole
from storage.db import Database
from storage.models import Person, Role
from storage.types import utcnow

RECENT_DAYS = 30  # `/dogday` lists the days of the past month and those to come


def _today(tz: tzinfo) -> date:
    return utcnow().astimezone(tz).date()


async def dog_day(
    message: Message,
    command: CommandObject,
    person: Person,
    t: Translator,
    database: Database,
    tz: tzinfo,
) -> None:
    words = (command.args or "").split(maxsplit=1)
    if not words:
        await _list_days(message, person, t, database, tz)
        return
    code, rest = None, command.args or ""
    if not words[0][0].isdigit():  # an area's code first (admins)
        code, rest = words[0], words[1] if len(words) > 1 else ""
    plan = parse_plan(rest, _today(tz))
    area_id = await days.area_for(database, person, code)
    day = await days.draft(database, person, plan, area_id)
    seen = await days.view(database, day.id)
    assert seen is not None
    text = "\n".join([t("dogday.preview"), days.describe(t, seen)])
    await message.answer(text, reply_markup=kb.preview(t, day.id))


async def _list_days(
    message: Message, person: Person, t: Translator, database: Database, tz: tzinfo
) -> None:
    seen = await days.visible_days(database, person, _today(tz) - timedelta(days=RECENT_DAYS))
    if not seen:
        await message.answer("\n".join([t("dogday.usage"), t("dogstats.no_days")]))
        return
    await message.answer(
        "\n".join([t("dogday.usage"), t("dogday.list_title")]), reply_markup=kb.day_list(t, seen)
    )


async def day_button(
    query: CallbackQuery,
    callback_data: DogDayAct,
    person: Person,
    t: Translator,
    database: Database,
    bot: Bot,
    settings: Settings,
) -> None:
    action = callback_data.action
    if action is DogDayDo.BOOKINGS:
        text, markup = await bookings_view(database, person, t, callback_data.day_id)
        await query.answer()
        await bot.send_message(person.tg_id, text, reply_markup=markup)
        return
    if action is DogDayDo.ANNOUNCE:
        seen = await days.view(database, callback_data.day_id)
        if seen is None:
            raise DogError("dogday.not_found")
        count = await days.announce(
            database, seen.day.id, person, days.describe(t, seen), settings.dog_topic
        )
        await query.answer(t("dogday.announced", count=count), show_alert=True)
        text = "\n".join([t("dogday.announced", count=count), days.describe(t, seen)])
    else:
        await days.discard(database, callback_data.day_id, person)
        await query.answer(t("dogday.discarded"))
        text = t("dogday.discarded")
    if query.message is not None:
        with suppress(TelegramBadRequest):
            await bot.edit_message_text(
                text, chat_id=query.message.chat.id, message_id=query.message.message_id
            )


async def bookings_view(
    database: Database, person: Person, t: Translator, day_id: int
) -> tuple[str, InlineKeyboardMarkup | None]:
    """A day's bookings as the staff member may see them, with a "came" button each."""
    seen = await days.staff_view(database, day_id, person)
    booked = await bookings.bookings(database, day_id, person)
    lines = [days.describe(t, seen), t("dogday.bookings_title", count=len(booked))]
    lines += [
        t(
            "dogday.booking_line",
            name=b.dog.name,
            number=b.dog.number or "",
            starts=b.slot.starts,
            mark="✅" if b.booking.attended_at else "",
        )
        for b in booked
    ] or [t("dogday.no_bookings")]
    return "\n".join(lines), kb.attendance(t, booked)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    staff = HasRole(Role.OFFICER, Role.LEAD, Role.ADMIN)
    router.message.register(dog_day, Command("dogday"), staff)
    router.callback_query.register(day_button, DogDayAct.filter())
    return router
