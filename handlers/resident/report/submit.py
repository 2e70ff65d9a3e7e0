"""The summary and its buttons: submit (once), edit a part, anonymous, cancel, back; and the
nearby-duplicate question before a case is filed."""

from __future__ import annotations

from contextlib import suppress

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, Message

from bot.cases import views as case_views
from bot.cases.desk import Desk
from bot.reports import drafts, limits
from bot.reports.media import MediaStore
from bot.texts import Translator
from handlers.common.callbacks import Nav, ReportNav
from handlers.common.keyboards import main_menu
from handlers.resident.report import filing, keyboards, steps
from handlers.resident.report.steps import Flow, ReportState
from storage.models import Case

STEP_OF_STATE = {
    ReportState.category.state: "category",
    ReportState.question.state: "question",
    ReportState.dog.state: "dog",
    ReportState.description.state: "description",
    ReportState.photos.state: "photos",
    ReportState.place.state: "place",
    ReportState.community.state: "place",
    ReportState.summary.state: "summary",
    ReportState.duplicate.state: "summary",
}


async def on_nav(
    query: CallbackQuery, callback_data: ReportNav, flow: Flow, media: MediaStore, desk: Desk
) -> None:
    draft = await flow.own_draft(callback_data.case_id)
    action, t = callback_data.action, flow.t
    if action is Nav.SUBMIT or action is Nav.DIFFERENT:
        await _submit(query, flow, draft)
        return
    await query.answer()
    if action is Nav.CANCEL:
        await drafts.discard(flow.database, draft.id)
        await flow.state.clear()
        await _drop_buttons(query)
        await flow.bot.send_message(
            flow.chat_id, t("report.cancelled"), reply_markup=main_menu(t, flow.person.role)
        )
    elif action is Nav.BACK:
        current = STEP_OF_STATE.get(await flow.state.get_state() or "", "summary")
        await steps.back(flow, draft, current)
    elif action is Nav.EDIT:
        await _edit_markup(query, keyboards.edit_parts(t, draft.id))
    elif action is Nav.SUMMARY:
        await _edit_markup(query, keyboards.summary(t, draft))
    elif action is Nav.EDIT_PART:
        await _edit_part(flow, draft, callback_data.target)
    elif action is Nav.ANONYMOUS:
        draft = await drafts.set_anonymous(flow.database, draft.id, not draft.anonymous)
        await _refresh_summary(query, flow, draft)
    elif action is Nav.SHARE:
        draft = await drafts.set_share_identity(flow.database, draft.id, not draft.share_identity)
        await _refresh_summary(query, flow, draft)
    elif action is Nav.FOLLOW:
        await _follow(flow, draft, callback_data.target, desk)
    elif action is Nav.SELF_HANDLE:
        await _self_handle(flow, draft, media)


async def _submit(query: CallbackQuery, flow: Flow, draft: Case) -> None:
    person, settings = flow.person, flow.settings
    # Checked before the duplicates are offered; the submit itself checks again.
    await limits.check_may_file(flow.database, person, settings.reports_per_hour, settings.tz)
    if not (await flow.state.get_data()).get("duplicate_checked"):
        found = await drafts.duplicates(
            flow.database, draft, settings.duplicate_radius_m, settings.duplicate_days
        )
        await flow.state.update_data(duplicate_checked=True)
        if found:
            await query.answer()
            await _show_duplicate(flow, draft, found[0])
            return
    outcome = await filing.submit(flow, draft)
    await query.answer()
    await _drop_buttons(query)
    await filing.announce(flow, outcome)


async def _self_handle(flow: Flow, draft: Case, media: MediaStore) -> None:
    if not draft.officer_found:
        raise drafts.ReportError("error.stale_button")
    settings, t = flow.settings, flow.t
    outcome = await drafts.self_handle(
        flow.database,
        draft.id,
        flow.person,
        t("report.self_handled_note"),
        settings.case_prefix,
        settings.tz,
    )
    media.download_soon(outcome.case.id)
    await flow.state.clear()
    await flow.bot.send_message(
        flow.chat_id,
        t("report.self_handled", number=outcome.case.number or ""),
        reply_markup=main_menu(t, flow.person.role),
    )


async def _show_duplicate(flow: Flow, draft: Case, existing: Case) -> None:
    await flow.state.set_state(ReportState.duplicate)
    t = flow.t
    submitted = (
        existing.submitted_at.astimezone(flow.settings.tz) if existing.submitted_at else None
    )
    # Another resident's case: only what the street would publish (bot.cases.views.public).
    shown = await case_views.public(flow.database, existing)
    text = t(
        "report.duplicate_found",
        radius=int(flow.settings.duplicate_radius_m),
        number=shown.number,
        category=shown.category.name(flow.language) if shown.category else "",
        status=t(f"status.{shown.status.value}"),
        place=shown.area or t("report.place_unknown"),
        when=submitted.strftime("%m-%d") if submitted else "",
    )
    await flow.show(text, keyboards.duplicate(t, draft.id, existing.id))


async def _follow(flow: Flow, draft: Case, existing_id: int, desk: Desk) -> None:
    settings = flow.settings
    nearby = await drafts.duplicates(
        flow.database, draft, settings.duplicate_radius_m, settings.duplicate_days
    )
    existing = next((case for case in nearby if case.id == existing_id), None)
    if existing is None:  # forged, or the case was closed meanwhile
        raise drafts.ReportError("error.stale_button")
    await drafts.follow_instead(flow.database, draft.id, existing.id, flow.person.id)
    await flow.state.clear()
    await flow.bot.send_message(
        flow.chat_id,
        flow.t("report.following", number=existing.number or ""),
        reply_markup=main_menu(flow.t, flow.person.role),
    )
    await desk.refresh_cards(existing.id)  # the cards count its followers


async def _edit_part(flow: Flow, draft: Case, index: int) -> None:
    if not 0 <= index < len(keyboards.EDIT_PARTS):
        raise drafts.ReportError("error.stale_button")
    part = keyboards.EDIT_PARTS[index]
    if part == "photos":
        await flow.state.update_data(photos_done=False)
    await steps.ask(flow, draft, part)


async def _refresh_summary(query: CallbackQuery, flow: Flow, draft: Case) -> None:
    if query.message is None:
        return
    with suppress(TelegramBadRequest):
        await flow.bot.edit_message_text(
            await steps.summary_text(flow, draft),
            chat_id=flow.chat_id,
            message_id=query.message.message_id,
            reply_markup=keyboards.summary(flow.t, draft),
        )


async def _edit_markup(query: CallbackQuery, markup: object) -> None:
    if query.message is not None:
        with suppress(TelegramBadRequest):
            await query.bot.edit_message_reply_markup(  # type: ignore[union-attr]
                chat_id=query.message.chat.id,
                message_id=query.message.message_id,
                reply_markup=markup,  # type: ignore[arg-type]
            )


async def _drop_buttons(query: CallbackQuery) -> None:
    await _edit_markup(query, None)


async def use_buttons(message: Message, t: Translator, state: FSMContext) -> None:
    """What a step says to a message it cannot use (words where photos are asked: photos)."""
    photos = await state.get_state() == ReportState.photos.state
    await message.answer(t("report.send_photos_hint" if photos else "report.use_buttons"))


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_nav, ReportNav.filter())
    router.message.register(use_buttons, F.chat.type == "private", StateFilter(ReportState))
    return router
