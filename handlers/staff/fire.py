"""Micro fire station members: on my way to a fire, the location on arrival, and /onduty
and /offduty (members of any role; an officer's own duty changes with it)."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, Filter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.cases.desk import Desk
from bot.people import staff
from bot.stations import register
from bot.stations import response as fire
from bot.texts import Translator
from handlers.common.callbacks import FireGo
from handlers.common.filters import MenuButton
from handlers.common.keyboards import arrival_keyboard, main_menu
from storage.db import Database
from storage.models import Person, Role


class FireState(StatesGroup):
    on_way = State()  # pressed on-my-way: the next location shared is the arrival


class StationMemberFilter(Filter):
    """The sender is a member of some station."""

    async def __call__(
        self, event: object, person: Person | None = None, database: Database | None = None
    ) -> bool:
        if person is None or database is None or person.banned:
            return False
        return bool(await register.stations_of(database, person.id))


async def set_off(
    query: CallbackQuery,
    callback_data: FireGo,
    person: Person,
    t: Translator,
    database: Database,
    desk: Desk,
    state: FSMContext,
) -> None:
    """On my way: only members of a station alerted to this fire (checked in the domain)."""
    answered = await fire.set_off(database, callback_data.response_id, person)
    await query.answer(t("stations.go_noted"))
    await state.set_state(FireState.on_way)
    await state.set_data({"response_id": callback_data.response_id})
    if query.message is not None:
        await query.message.answer(t("stations.share_on_arrival"), reply_markup=arrival_keyboard(t))
    if answered.first and desk.stations is not None:
        await desk.stations.tell_reporter(answered.case, "stations.resident_on_way")
        await desk.refresh_cards(answered.case.id)


async def arrived(
    message: Message,
    person: Person,
    t: Translator,
    database: Database,
    desk: Desk,
    state: FSMContext,
) -> None:
    """The location on arrival: within 100 m of the fire, on site; farther, not counted."""
    assert message.location is not None
    response_id = int((await state.get_data()).get("response_id") or 0)
    answered = await fire.arrive(
        database, response_id, person, message.location.latitude, message.location.longitude
    )
    if not answered.on_site:
        key = "stations.too_far" if answered.distance_m is not None else "stations.no_place"
        await message.answer(
            t(key, metres=round(answered.distance_m or 0), limit=round(fire.ON_SITE_M)),
            reply_markup=arrival_keyboard(t),
        )
        return
    await state.clear()
    response = answered.response
    took = fire.took(response.alerted_at, response.arrived_at or response.alerted_at, t)
    await message.answer(
        t("stations.on_site", took=took, metres=round(answered.distance_m or 0)),
        reply_markup=main_menu(t, person.role),
    )
    if answered.first and desk.stations is not None:
        await desk.stations.tell_reporter(answered.case, "stations.resident_arrived", took=took)
        await desk.refresh_cards(answered.case.id)


async def member_duty(message: Message, person: Person, t: Translator, database: Database) -> None:
    """On or off duty at the person's stations (and as an officer, if they are one)."""
    on = (message.text or "").startswith("/onduty") or message.text == t("menu.onduty")
    await register.set_duty(database, person.id, on)
    names = t("list.separator").join(
        s.name for s in await register.stations_of(database, person.id)
    )
    text = t("stations.duty_on" if on else "stations.duty_off", stations=names)
    if await register.has_shifts(database, person.id):
        text += "\n" + t("stations.duty_until_shift")
    if person.role == Role.OFFICER:
        await staff.set_on_duty(database, person.id, on)
        text = t("duty.on" if on else "stations.officer_off") + "\n" + text
    await message.answer(text)


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(set_off, FireGo.filter())
    private = F.chat.type == "private"
    on_way = StateFilter(FireState.on_way)
    router.message.register(arrived, private, on_way, F.location)
    member = StationMemberFilter()
    for command, button in (("onduty", "menu.onduty"), ("offduty", "menu.offduty")):
        router.message.register(member_duty, private, Command(command), member)
        router.message.register(member_duty, private, MenuButton(button), member)
    return router
