"""Starting a report (/report, the menu, or just a photo or a location), cancelling it, and the
category and quick-question buttons."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import Command, CommandObject, CommandStart, StateFilter
from aiogram.types import CallbackQuery, Message

from bot.duties import doing as duties
from bot.errors import PoliteError
from bot.places.geo import Located
from bot.places.index import area_index
from bot.reports import drafts, limits, posters
from handlers.common.callbacks import DutyFindStart, ReportAnswer, ReportCategory
from handlers.common.filters import HasRole, MenuButton
from handlers.common.images import incoming_image, store_image
from handlers.common.keyboards import main_menu
from handlers.resident.report import steps
from handlers.resident.report.steps import Flow
from storage.models import Role


async def _may_report(flow: Flow) -> None:
    settings = flow.settings
    await limits.check_may_file(flow.database, flow.person, settings.reports_per_hour, settings.tz)


async def start_report(message: Message, flow: Flow) -> None:
    await _may_report(flow)
    if flow.draft is not None:
        await flow.say("report.resume")
        await steps.advance(flow, flow.draft)
        return
    draft = await drafts.start(flow.database, flow.person.id)
    await flow.state.set_data({"case_id": draft.id})
    await steps.advance(flow, draft)


async def start_from_poster(message: Message, command: CommandObject, flow: Flow) -> None:
    """A poster's QR code (`/start p_…`): a report whose grid, and category if the poster names
    one, are known already, so neither is asked."""
    place = await posters.place_of(flow.database, command.args or "")
    if place is None:
        raise PoliteError("poster.unknown")
    await _may_report(flow)
    if flow.draft is not None:
        await flow.say("report.resume")
    # No greeting of its own (a message fewer): the question shows the category, the place
    # step and the summary name the poster's grid.
    draft = await posters.start_report(flow.database, flow.person.id, place)
    await flow.state.update_data(case_id=draft.id, poster_grid=place.grid.id)
    await steps.advance(flow, draft)


async def start_patrol(message: Message, flow: Flow) -> None:
    """/patrol: an officer files what they found on patrol, with the same steps."""
    draft = flow.draft or await drafts.start(flow.database, flow.person.id)
    draft = await drafts.mark_officer_found(flow.database, draft.id)
    await flow.state.set_data({"case_id": draft.id})
    await flow.say("report.patrol_started")
    await steps.advance(flow, draft)


async def start_duty_find(query: CallbackQuery, callback_data: DutyFindStart, flow: Flow) -> None:
    """A find filed from inside a routine duty: a patrol report linked to the duty's occurrence
    (the domain checks the occurrence is the officer's)."""
    draft = await duties.start_find(flow.database, callback_data.occurrence_id, flow.person)
    await query.answer()
    await flow.state.set_data({"case_id": draft.id})
    flow.message_id = None  # the duty's checklist stays; the report goes on below it
    await flow.say("duties.find_started")
    await steps.advance(flow, draft)


async def start_with_photo(message: Message, flow: Flow) -> None:
    """A photo sent outside a report starts one; the caption is the description."""
    await _may_report(flow)
    image = incoming_image(message)
    draft = await drafts.start(flow.database, flow.person.id)
    await store_image(flow.media, flow.database, draft.id, image)
    if message.caption:
        try:
            draft = await drafts.describe(flow.database, draft.id, message.caption)
        except drafts.ReportError as error:
            await flow.say(error.key, **error.values)
    data = {"case_id": draft.id, "photos_done": True, "album": image.media_group_id}
    await flow.state.set_data(data)
    await flow.say("report.started_with_photo")
    await steps.advance(flow, draft)


async def start_with_place(message: Message, flow: Flow) -> None:
    """A location or venue sent outside a report starts one at that place."""
    await _may_report(flow)
    draft = await drafts.start(flow.database, flow.person.id)
    located, inside = await locate(flow, message)
    assert message.location is not None
    draft = await drafts.place(
        flow.database,
        draft.id,
        latitude=message.location.latitude,
        longitude=message.location.longitude,
        address=message.venue.address if message.venue else None,
        located=located,
    )
    await flow.state.set_data({"case_id": draft.id, "place_done": inside})
    await flow.say("report.started_with_place" if inside else "report.outside_area_later")
    await steps.advance(flow, draft)


async def locate(flow: Flow, message: Message) -> tuple[Located | None, bool]:
    """The area of a shared location, and whether it is inside the service area.

    While no areas are configured at all, every place is inside (the case goes to triage)."""
    assert message.location is not None
    index = await area_index(flow.database)
    if index.empty:
        return None, True
    location = message.location
    tolerance = flow.settings.routing_tolerance_m
    located = index.locate(location.latitude, location.longitude, tolerance)
    return located, located is not None


async def cancel(message: Message, flow: Flow) -> None:
    if flow.draft is not None:
        await drafts.discard(flow.database, flow.draft.id)
    had_state = await flow.state.get_state() is not None
    await flow.state.clear()
    key = "report.cancelled" if flow.draft is not None or had_state else "report.nothing_to_cancel"
    await message.answer(flow.t(key), reply_markup=main_menu(flow.t, flow.person.role))


async def choose_category(query: CallbackQuery, callback_data: ReportCategory, flow: Flow) -> None:
    draft = await flow.own_draft(callback_data.case_id)
    draft = await drafts.choose_category(flow.database, draft, callback_data.category_id)
    await flow.state.update_data(dog_done=False)
    await query.answer()
    await steps.advance(flow, draft)


async def answer_question(query: CallbackQuery, callback_data: ReportAnswer, flow: Flow) -> None:
    draft = await flow.own_draft(callback_data.case_id)
    draft, danger = await drafts.answer(
        flow.database, draft, callback_data.key, callback_data.option
    )
    await query.answer()
    if danger:  # danger now: the warning in place, then the place first
        await flow.state.update_data(danger=True)
        await flow.show(flow.t("report.urgent_warning"), None)
        flow.message_id = None
    await steps.advance(flow, draft)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(cancel, Command("cancel"))
    router.message.register(start_report, Command("report"))
    poster = CommandStart(deep_link=True, magic=F.args.func(posters.is_poster))
    router.message.register(start_from_poster, poster)
    router.message.register(start_report, MenuButton("menu.report"))
    patrollers = HasRole(Role.OFFICER, Role.LEAD)
    router.message.register(start_patrol, Command("patrol"), patrollers)
    router.message.register(start_patrol, MenuButton("menu.patrol"), patrollers)
    idle = StateFilter(None)
    router.message.register(start_with_photo, idle, F.photo)
    router.message.register(start_with_photo, idle, F.document.mime_type.startswith("image/"))
    router.message.register(start_with_place, idle, F.location)
    router.callback_query.register(choose_category, ReportCategory.filter())
    router.callback_query.register(answer_question, ReportAnswer.filter())
    staff = HasRole(Role.OFFICER, Role.LEAD, Role.ADMIN, Role.VOLUNTEER)
    router.callback_query.register(start_duty_find, DutyFindStart.filter(), staff)
    return router
