"""Starting a report (/report, the menu, or just a photo or a location), cancelling it, and the
category and quick-question buttons."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.filters import Command, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot import reports
from bot.config import Settings
from bot.geo import Located
from bot.texts import Translator
from handlers.callbacks import ReportAnswer, ReportCategory
from handlers.filters import MenuButton
from handlers.keyboards import main_menu
from handlers.report import steps
from handlers.report.common import incoming_image, make_flow, own_draft, store_image
from storage.db import Database
from storage.models import Case, Person


async def _may_report(
    message: Message, person: Person, t: Translator, database: Database, settings: Settings
) -> bool:
    if person.banned:
        await message.answer(t("report.banned"))
        return False
    again = await reports.next_allowed_at(database, person.id, settings.reports_per_hour)
    if again is not None:
        when = again.astimezone(settings.tz).strftime("%H:%M")
        await message.answer(t("report.rate_limited", limit=settings.reports_per_hour, when=when))
        return False
    return True


async def start_report(
    message: Message,
    person: Person,
    t: Translator,
    language: str,
    database: Database,
    settings: Settings,
    state: FSMContext,
    bot: Bot,
) -> None:
    if not await _may_report(message, person, t, database, settings):
        return
    resumed = await reports.draft_of(database, person.id)
    draft = resumed or await reports.start(database, person.id)
    flow = make_flow(bot, message.chat.id, t, language, database, settings, state)
    if resumed is not None:
        await flow.say("report.resume")
    else:
        await state.set_data({"case_id": draft.id})
    await steps.advance(flow, draft)


async def start_with_photo(
    message: Message,
    person: Person,
    t: Translator,
    language: str,
    database: Database,
    settings: Settings,
    state: FSMContext,
    bot: Bot,
) -> None:
    """A photo sent outside a report starts one; the caption is the description."""
    if not await _may_report(message, person, t, database, settings):
        return
    try:
        image = incoming_image(message)
    except reports.ReportError as error:
        await message.answer(t(error.key, **error.values))
        return
    draft = await reports.start(database, person.id)
    await store_image(database, draft.id, image)
    if message.caption:
        draft = await _describe_quietly(message, t, database, draft, message.caption)
    await state.set_data({"case_id": draft.id, "photos_done": True, "album": image.media_group_id})
    flow = make_flow(bot, message.chat.id, t, language, database, settings, state)
    await flow.say("report.started_with_photo")
    await steps.advance(flow, draft)


async def start_with_place(
    message: Message,
    person: Person,
    t: Translator,
    language: str,
    database: Database,
    settings: Settings,
    state: FSMContext,
    bot: Bot,
) -> None:
    """A location or venue sent outside a report starts one at that place."""
    if not await _may_report(message, person, t, database, settings):
        return
    draft = await reports.start(database, person.id)
    flow = make_flow(bot, message.chat.id, t, language, database, settings, state)
    located, inside = await locate(database, message)
    draft = await reports.place(
        database,
        draft.id,
        latitude=message.location.latitude if message.location else None,
        longitude=message.location.longitude if message.location else None,
        address=message.venue.address if message.venue else None,
        located=located,
    )
    await state.set_data({"case_id": draft.id, "place_done": inside})
    await flow.say("report.started_with_place" if inside else "report.outside_area_later")
    await steps.advance(flow, draft)


async def locate(database: Database, message: Message) -> tuple[Located | None, bool]:
    """The area of a shared location, and whether it is inside the service area.

    While no areas are configured at all, every place is inside (the case goes to triage)."""
    assert message.location is not None
    index = await reports.area_index(database)
    if index.empty:
        return None, True
    located = index.locate(message.location.latitude, message.location.longitude)
    return located, located is not None


async def _describe_quietly(
    message: Message, t: Translator, database: Database, draft: Case, text: str
) -> Case:
    try:
        return await reports.describe(database, draft.id, text)
    except reports.ReportError as error:
        await message.answer(t(error.key, **error.values))
        return draft


async def cancel(
    message: Message, person: Person, t: Translator, database: Database, state: FSMContext
) -> None:
    draft = await reports.draft_of(database, person.id)
    if draft is not None:
        await reports.discard(database, draft.id)
    had_state = await state.get_state() is not None
    await state.clear()
    key = "report.cancelled" if draft is not None or had_state else "report.nothing_to_cancel"
    await message.answer(t(key), reply_markup=main_menu(t))


async def choose_category(
    query: CallbackQuery,
    callback_data: ReportCategory,
    person: Person,
    t: Translator,
    language: str,
    database: Database,
    settings: Settings,
    state: FSMContext,
    bot: Bot,
) -> None:
    draft = await own_draft(database, person, callback_data.case_id)
    draft = await reports.choose_category(database, draft.id, callback_data.category_id)
    await query.answer()
    flow = make_flow(bot, query.from_user.id, t, language, database, settings, state)
    await steps.advance(flow, draft)


async def answer_question(
    query: CallbackQuery,
    callback_data: ReportAnswer,
    person: Person,
    t: Translator,
    language: str,
    database: Database,
    settings: Settings,
    state: FSMContext,
    bot: Bot,
) -> None:
    draft = await own_draft(database, person, callback_data.case_id)
    already_urgent = draft.urgent
    draft, urgent = await reports.answer(
        database, draft.id, callback_data.key, callback_data.option
    )
    await query.answer()
    flow = make_flow(bot, query.from_user.id, t, language, database, settings, state)
    if urgent and not already_urgent:
        await flow.say("report.urgent_warning")
    await steps.advance(flow, draft)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(cancel, Command("cancel"))
    router.message.register(start_report, Command("report"))
    router.message.register(start_report, MenuButton("menu.report"))
    idle = StateFilter(None)
    router.message.register(start_with_photo, idle, F.photo)
    router.message.register(start_with_photo, idle, F.document.mime_type.startswith("image/"))
    router.message.register(start_with_place, idle, F.location)
    router.callback_query.register(choose_category, ReportCategory.filter())
    router.callback_query.register(answer_question, ReportAnswer.filter())
    return router
