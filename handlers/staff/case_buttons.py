"""The officer's card buttons: accept, ask the resident, transfer, reject with a reason, resolve
with a note and an "after" photo. Every press is checked on the server: who, and which status."""

from __future__ import annotations

from typing import NoReturn

from aiogram import Bot, F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.cases import access, on_site, work_queue
from bot.cases import lifecycle as cases
from bot.cases.desk import Desk
from bot.config import Settings
from bot.errors import PoliteError
from bot.reports import drafts
from bot.reports.media import MediaStore
from bot.texts import Translator
from handlers.common.callbacks import CaseDuty, Duty
from handlers.common.distances import distance_text
from handlers.common.filters import MenuButton
from handlers.common.images import incoming_image, store_image
from handlers.common.keyboards import (
    REJECT_REASONS,
    main_menu,
    no_photo,
    reject_reasons,
    transfer_choices,
    verify_place,
)
from storage.db import Database
from storage.models import OPEN_STATUSES, Case, Person

MAX_NOTE = 1000


class DeskState(StatesGroup):
    ask = State()  # the question for the resident
    merge = State()  # the number of the case this one repeats
    note = State()  # a note for the audit trail
    reject = State()  # a reason in the officer's words
    resolve_note = State()  # what was done
    resolve_photo = State()  # the "after" photo, or skip
    resolve_place = State()  # the officer's location, to verify the fix on site


async def _do(
    desk: Desk,
    database: Database,
    person: Person,
    case: Case,
    action: cases.Action,
    **kwargs: object,
) -> cases.Outcome:
    try:
        return await desk.act(case.id, action, person, **kwargs)
    except cases.CaseError as error:
        await _refuse(database, case, person, error)


async def _refuse(
    database: Database, case: Case, person: Person, error: cases.CaseError
) -> NoReturn:
    """Raise the refusal, saying who took the case when another officer's action came first."""
    if error.key == "case.wrong_status":
        async with database.sessions() as session:  # the failed transaction's objects are gone
            now = await session.get(Case, case.id)
            officer = await session.get(Person, now.officer_id) if now and now.officer_id else None
        taken = officer is not None and officer.id != person.id
        if now is not None and now.status in OPEN_STATUSES and taken:
            raise PoliteError("desk.taken", number=case.number or "", name=officer.name) from None
    raise error


async def on_duty_button(
    query: CallbackQuery,
    callback_data: CaseDuty,
    person: Person,
    t: Translator,
    database: Database,
    desk: Desk,
    state: FSMContext,
    bot: Bot,
) -> None:
    case = await access.case_to_act_on(database, person, callback_data.case_id)
    duty, chat = callback_data.duty, query.from_user.id
    await _still_possible(database, case, person, duty)
    if duty is Duty.ACCEPT:
        await _do(desk, database, person, case, cases.Action.ACCEPT)
        await query.answer(t("desk.accepted", number=case.number or ""))
        return
    if duty is Duty.TO_GRID:
        await _do(desk, database, person, case, cases.Action.TRANSFER, area_id=callback_data.target)
        await query.answer(t("desk.transferred", number=case.number or ""))
        return
    if duty is Duty.REASON:
        await _reason(query, callback_data.target, case, person, t, database, desk, state)
        return
    if duty is Duty.NO_PHOTO:
        await query.answer()
        await _ask_place(state, bot, chat, t)
        return
    await query.answer()
    if duty in TYPED_PROMPTS:
        step, key = TYPED_PROMPTS[duty]
        await _ask(state, step, case, bot, chat, t(key, number=case.number or ""))
    elif duty is Duty.TRANSFER:
        await _transfer_menu(database, case, t, bot, chat)
    elif duty is Duty.REJECT:
        await bot.send_message(
            chat,
            t("desk.ask_reason", number=case.number or ""),
            reply_markup=reject_reasons(t, case.id),
        )


# The lifecycle action each button leads to (a menu or a prompt first, for most).
DUTY_ACTIONS = {
    Duty.ACCEPT: cases.Action.ACCEPT,
    Duty.ASK: cases.Action.REQUEST_INFO,
    Duty.TRANSFER: cases.Action.TRANSFER,
    Duty.TO_GRID: cases.Action.TRANSFER,
    Duty.REJECT: cases.Action.REJECT,
    Duty.REASON: cases.Action.REJECT,
    Duty.RESOLVE: cases.Action.RESOLVE,
    Duty.NO_PHOTO: cases.Action.RESOLVE,
    Duty.MERGE: cases.Action.MERGE,
    Duty.NOTE: cases.Action.NOTE,
}


async def _still_possible(database: Database, case: Case, person: Person, duty: Duty) -> None:
    """A button of an old card (or a menu it opened) whose action the case's status no longer
    allows is refused before any menu or prompt opens, in the lifecycle's own words."""
    refusal = cases.allowed(DUTY_ACTIONS[duty], case.status, person, case.reporter_id)
    if refusal is not None:
        await _refuse(database, case, person, cases.CaseError(refusal, case))


# Buttons that ask the officer to type something: the step that waits for it, and the prompt.
TYPED_PROMPTS = {
    Duty.ASK: (DeskState.ask, "desk.ask_question"),
    Duty.NOTE: (DeskState.note, "desk.ask_staff_note"),
    Duty.MERGE: (DeskState.merge, "desk.ask_merge"),
    Duty.RESOLVE: (DeskState.resolve_note, "desk.ask_note"),
}


async def _ask(state: FSMContext, step: State, case: Case, bot: Bot, chat: int, text: str) -> None:
    await state.set_state(step)
    await state.set_data({"case_id": case.id})
    await bot.send_message(chat, text)


async def _transfer_menu(
    database: Database, case: Case, t: Translator, bot: Bot, chat: int
) -> None:
    async with database.sessions() as session:
        targets = await access.transfer_targets(session, case)
    if not targets:
        raise PoliteError("desk.no_other_grid")
    await bot.send_message(
        chat,
        t("desk.choose_grid", number=case.number or ""),
        reply_markup=transfer_choices(t, case.id, targets.grids, targets.community_id),
    )


async def _reason(
    query: CallbackQuery,
    index: int,
    case: Case,
    person: Person,
    t: Translator,
    database: Database,
    desk: Desk,
    state: FSMContext,
) -> None:
    if not 0 <= index < len(REJECT_REASONS):
        raise PoliteError("error.stale_button")
    reason = REJECT_REASONS[index]
    if reason == "other":
        await query.answer()
        await _ask(
            state, DeskState.reject, case, query.bot, query.from_user.id, t("desk.ask_reason_text")
        )  # type: ignore[arg-type]
        return
    await _do(desk, database, person, case, cases.Action.REJECT, note=t(f"desk.reason_{reason}"))
    await query.answer(t("desk.rejected", number=case.number or ""))


async def _case_in_hand(database: Database, person: Person, state: FSMContext) -> Case:
    """The case the officer's current step is about (its id kept in the conversation)."""
    case_id = int((await state.get_data()).get("case_id") or 0)
    return await access.case_to_act_on(database, person, case_id)


async def _ask_place(state: FSMContext, bot: Bot, chat: int, t: Translator) -> None:
    await state.set_state(DeskState.resolve_place)
    await bot.send_message(chat, t("desk.ask_place"), reply_markup=verify_place(t))


async def _resolve(
    database: Database,
    desk: Desk,
    person: Person,
    case: Case,
    state: FSMContext,
    verified: bool = False,
) -> None:
    note = (await state.get_data()).get("note")
    await _do(desk, database, person, case, cases.Action.RESOLVE, note=note, verified=verified)
    await state.clear()


async def _typed(
    message: Message, state: FSMContext, person: Person, database: Database
) -> tuple[Case, str]:
    text = drafts.check_length(message.text, MAX_NOTE)
    if not text:
        raise drafts.ReportError("report.text_please")
    case = await _case_in_hand(database, person, state)
    return case, text


# A typed text that completes a button's action: the action, and what the officer is told.
TYPED_ACTIONS = {
    DeskState.ask.state: (cases.Action.REQUEST_INFO, "desk.question_sent"),
    DeskState.reject.state: (cases.Action.REJECT, "desk.rejected"),
    DeskState.note.state: (cases.Action.NOTE, "desk.note_saved"),
}


async def text_for_action(
    message: Message,
    person: Person,
    t: Translator,
    database: Database,
    desk: Desk,
    state: FSMContext,
) -> None:
    """The question for the resident, a reason for rejecting, or a staff note."""
    action, reply = TYPED_ACTIONS[await state.get_state() or ""]
    case, text = await _typed(message, state, person, database)
    await _do(desk, database, person, case, action, note=text)
    await state.clear()
    await message.answer(t(reply, number=case.number or ""))


async def merge_typed(
    message: Message,
    person: Person,
    t: Translator,
    database: Database,
    desk: Desk,
    state: FSMContext,
) -> None:
    case, text = await _typed(message, state, person, database)
    target = await work_queue.by_number(database, text)
    if target is None:  # one out of scope is refused by the lifecycle, with the same answer
        raise PoliteError("case.merge_target")
    await _do(desk, database, person, case, cases.Action.MERGE, duplicate_of=target.id)
    await state.clear()
    await message.answer(t("desk.merged", number=case.number or "", target=target.number or ""))


async def note_typed(
    message: Message, person: Person, t: Translator, database: Database, state: FSMContext
) -> None:
    case, text = await _typed(message, state, person, database)
    await state.update_data(note=text)
    await state.set_state(DeskState.resolve_photo)
    await message.answer(t("desk.ask_after_photo"), reply_markup=no_photo(t, case.id))


async def after_photo(
    message: Message,
    person: Person,
    t: Translator,
    database: Database,
    media: MediaStore,
    state: FSMContext,
) -> None:
    case = await _case_in_hand(database, person, state)
    await store_image(media, database, case.id, incoming_image(message), stage="after")
    await _ask_place(state, message.bot, message.chat.id, t)  # type: ignore[arg-type]


async def officer_place(
    message: Message,
    person: Person,
    t: Translator,
    database: Database,
    desk: Desk,
    state: FSMContext,
    settings: Settings,
) -> None:
    """The officer's location when resolving: within VERIFY_RADIUS_M it is verified on site."""
    case = await _case_in_hand(database, person, state)
    where = message.location
    radius = settings.verify_radius_m
    check = on_site.check(
        case, where.latitude if where else None, where.longitude if where else None, radius
    )
    await _resolve(database, desk, person, case, state, verified=check.verified)
    why = t(
        f"desk.verify_{check.why.value}",
        distance=distance_text(t, check.distance_m or 0),
        radius=int(radius),
    )
    text = t("desk.resolved_with", number=case.number or "", verification=why)
    await message.answer(text, reply_markup=main_menu(t, person.role))


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_duty_button, CaseDuty.filter())
    router.message.filter(F.chat.type == "private")
    typed = StateFilter(DeskState.ask, DeskState.reject, DeskState.note)
    router.message.register(text_for_action, typed, F.text)
    router.message.register(merge_typed, DeskState.merge, F.text)
    router.message.register(note_typed, DeskState.resolve_note, F.text)
    router.message.register(after_photo, DeskState.resolve_photo, F.photo | F.document)
    router.message.register(officer_place, DeskState.resolve_place, F.location)
    router.message.register(
        officer_place, DeskState.resolve_place, MenuButton("desk.button_skip_verify")
    )
    router.message.register(_text_please, StateFilter(DeskState))
    return router


# What a step that asks for something other than words says to a message it cannot use.
STEP_HINTS = {
    DeskState.resolve_photo.state: "desk.send_after_photo",
    DeskState.resolve_place.state: "desk.send_officer_place",
}


async def _text_please(message: Message, t: Translator, state: FSMContext) -> None:
    await message.answer(t(STEP_HINTS.get(await state.get_state() or "", "desk.follow_the_step")))
