"""Where the problem is: a shared location or venue, a typed address plus a community, or
"I'm not there now" plus a community. A place outside every area is refused politely."""

from __future__ import annotations

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.types import CallbackQuery, Message, ReplyKeyboardRemove

from bot.reports import drafts
from handlers.common.callbacks import Nav, ReportNav
from handlers.common.filters import MenuButton
from handlers.resident.report import keyboards, steps
from handlers.resident.report.entry import cancel, locate
from handlers.resident.report.steps import Flow, ReportState

MAX_ADDRESS = 200


async def shared_place(message: Message, flow: Flow) -> None:
    draft = flow.require_draft()
    assert message.location is not None
    located, inside = await locate(flow, message)
    draft = await drafts.place(
        flow.database,
        draft.id,
        latitude=message.location.latitude,
        longitude=message.location.longitude,
        address=message.venue.address if message.venue else draft.address,
        located=located,
    )
    if not inside and (
        grid := await drafts.area_name(flow.database, await steps.poster_grid(flow))
    ):
        await message.answer(flow.t("report.outside_poster_grid", grid=grid))
        await steps.ask_community(flow, draft)  # the poster's grid, not a question
        return
    if not inside:
        # The location button stays: the resident may send another point, or pick a community.
        await message.answer(flow.t("report.outside_area"), reply_markup=keyboards.place(flow.t))
        await steps.ask_community(flow, draft, "report.ask_community_outside")
        return
    await steps.finish_place(flow, draft)


async def typed_address(message: Message, flow: Flow) -> None:
    text = (message.text or "").strip()
    if len(text) > MAX_ADDRESS:
        raise drafts.ReportError("report.address_too_long", limit=MAX_ADDRESS)
    if len(text) < drafts.MIN_DESCRIPTION:
        raise drafts.ReportError("report.too_short")
    draft = await drafts.place(flow.database, flow.require_draft().id, address=text)
    await steps.ask_community(flow, draft, "report.ask_community_for_address")


async def not_there(message: Message, flow: Flow) -> None:
    draft = await drafts.place(flow.database, flow.require_draft().id)
    await steps.ask_community(flow, draft, "report.ask_community_not_there")


async def at_poster_grid(message: Message, flow: Flow) -> None:
    """From a poster: the problem is in the poster's grid, no location sent."""
    grid_id = await steps.poster_grid(flow)
    if grid_id is None:  # the button's words typed without a poster: an address like any
        await typed_address(message, flow)
        return
    draft = await drafts.choose_grid(flow.database, flow.require_draft().id, grid_id)
    await steps.finish_place(flow, draft)


async def place_back(message: Message, flow: Flow) -> None:
    """Back from the place (or a later step): its keyboard goes, the step before is asked."""
    draft = flow.require_draft()
    await message.answer(flow.t("report.going_back"), reply_markup=ReplyKeyboardRemove())
    current = await flow.state.get_state()
    await steps.back(flow, draft, "place" if current == ReportState.place.state else "summary")


async def choose_community(query: CallbackQuery, callback_data: ReportNav, flow: Flow) -> None:
    draft = await flow.own_draft(callback_data.case_id)
    draft = await drafts.choose_community(flow.database, draft.id, callback_data.target)
    await query.answer()
    await flow.state.update_data(place_done=True)
    await steps.advance(flow, draft)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    in_report = StateFilter(ReportState)
    router.message.register(shared_place, in_report, F.location)
    # The place keyboard stays until the report ends: its buttons work at every later step.
    keyboard = StateFilter(
        ReportState.place, ReportState.community, ReportState.summary, ReportState.duplicate
    )
    router.message.register(cancel, keyboard, MenuButton("report.button_cancel"))
    router.message.register(place_back, keyboard, MenuButton("report.button_back"))
    router.message.register(not_there, keyboard, MenuButton("report.button_not_there"))
    router.message.register(at_poster_grid, keyboard, MenuButton("report.button_poster_grid"))
    router.message.register(typed_address, StateFilter(ReportState.place), F.text)
    router.callback_query.register(choose_community, ReportNav.filter(F.action == Nav.COMMUNITY))
    return router
