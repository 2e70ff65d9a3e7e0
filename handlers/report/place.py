"""Where the problem is: a shared location or venue, a typed address plus a community, or
"I'm not there now" plus a community. A place outside every area is refused politely."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot import reports
from bot.config import Settings
from bot.texts import Translator
from handlers.callbacks import Nav, ReportNav
from handlers.filters import MenuButton
from handlers.keyboards import main_menu
from handlers.report import steps
from handlers.report.common import make_flow, own_draft
from handlers.report.entry import cancel, locate
from handlers.report.steps import ReportState
from storage.db import Database
from storage.models import Person

MAX_ADDRESS = 200


async def shared_place(
    message: Message,
    person: Person,
    t: Translator,
    language: str,
    database: Database,
    settings: Settings,
    state: FSMContext,
    bot: Bot,
) -> None:
    draft = await reports.draft_of(database, person.id)
    if draft is None:
        raise reports.ReportError("report.gone")
    assert message.location is not None
    located, inside = await locate(database, message)
    draft = await reports.place(
        database,
        draft.id,
        latitude=message.location.latitude,
        longitude=message.location.longitude,
        address=message.venue.address if message.venue else draft.address,
        located=located,
    )
    flow = make_flow(bot, message.chat.id, t, language, database, settings, state)
    if not inside:
        await message.answer(t("report.outside_area"), reply_markup=main_menu(t))
        await steps.ask_community(flow, draft, "report.ask_community_outside")
        return
    await steps.finish_place(flow, draft)


async def typed_address(
    message: Message,
    person: Person,
    t: Translator,
    language: str,
    database: Database,
    settings: Settings,
    state: FSMContext,
    bot: Bot,
) -> None:
    text = (message.text or "").strip()
    if len(text) > MAX_ADDRESS:
        raise reports.ReportError("report.address_too_long", limit=MAX_ADDRESS)
    if len(text) < reports.MIN_DESCRIPTION:
        raise reports.ReportError("report.too_short")
    draft = await reports.draft_of(database, person.id)
    if draft is None:
        raise reports.ReportError("report.gone")
    draft = await reports.place(database, draft.id, address=text)
    flow = make_flow(bot, message.chat.id, t, language, database, settings, state)
    await message.answer(t("report.address_noted"), reply_markup=main_menu(t))
    await steps.ask_community(flow, draft)


async def not_there(
    message: Message,
    person: Person,
    t: Translator,
    language: str,
    database: Database,
    settings: Settings,
    state: FSMContext,
    bot: Bot,
) -> None:
    draft = await reports.draft_of(database, person.id)
    if draft is None:
        raise reports.ReportError("report.gone")
    draft = await reports.place(database, draft.id)
    flow = make_flow(bot, message.chat.id, t, language, database, settings, state)
    await message.answer(t("report.not_there_noted"), reply_markup=main_menu(t))
    await steps.ask_community(flow, draft)


async def place_back(
    message: Message,
    person: Person,
    t: Translator,
    language: str,
    database: Database,
    settings: Settings,
    state: FSMContext,
    bot: Bot,
) -> None:
    draft = await reports.draft_of(database, person.id)
    if draft is None:
        raise reports.ReportError("report.gone")
    flow = make_flow(bot, message.chat.id, t, language, database, settings, state)
    await message.answer(t("report.going_back"), reply_markup=main_menu(t))
    await steps.back(flow, draft, "place")


async def choose_community(
    query: CallbackQuery,
    callback_data: ReportNav,
    person: Person,
    t: Translator,
    language: str,
    database: Database,
    settings: Settings,
    state: FSMContext,
    bot: Bot,
) -> None:
    draft = await own_draft(database, person, callback_data.case_id)
    draft = await reports.choose_community(database, draft.id, callback_data.target)
    await query.answer()
    await state.update_data(place_done=True)
    flow = make_flow(bot, query.from_user.id, t, language, database, settings, state)
    await steps.advance(flow, draft)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    in_report = StateFilter(ReportState)
    router.message.register(shared_place, in_report, F.location)
    place = StateFilter(ReportState.place)
    router.message.register(cancel, place, MenuButton("report.button_cancel"))
    router.message.register(place_back, place, MenuButton("report.button_back"))
    router.message.register(not_there, place, MenuButton("report.button_not_there"))
    router.message.register(typed_address, place, F.text)
    router.callback_query.register(choose_community, ReportNav.filter(F.action == Nav.COMMUNITY))
    return router
