"""A report duty's figures in chat: after the summary, each figure is asked in turn (a whole
number; a bad one is answered politely and asked again), then a summary of them to confirm;
Back and Cancel at each step. The draft lives in the conversation state, so it survives a
restart; filing checks everything again in `bot.duties` (a forged press changes nothing)."""

from __future__ import annotations

from typing import Any

from aiogram import F, Router
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.duties import doing, reports
from bot.duties.doing import Turn
from bot.errors import PoliteError
from bot.texts import Translator
from handlers.common.callbacks import DutyReportDo, DutyReportStep
from handlers.common.filters import HasRole
from handlers.common.keyboards import main_menu
from handlers.staff.duty_states import DutyReportState, DutyState
from storage.db import Database
from storage.models import Duty, Person, Role


def _buttons(t: Translator, occurrence_id: int, confirm: bool = False) -> InlineKeyboardMarkup:
    def button(key: str, do: DutyReportDo) -> InlineKeyboardButton:
        data = DutyReportStep(occurrence_id=occurrence_id, do=do).pack()
        return InlineKeyboardButton(text=t(key), callback_data=data)

    rows = [[button("duties.button_file_report", DutyReportDo.CONFIRM)]] if confirm else []
    rows.append(
        [
            button("duties.button_back", DutyReportDo.BACK),
            button("duties.button_cancel", DutyReportDo.CANCEL),
        ]
    )
    return InlineKeyboardMarkup(inline_keyboard=rows)


async def begin(
    message: Message, t: Translator, state: FSMContext, turn: Turn, summary: str
) -> None:
    """The summary is kept; the first figure is asked."""
    occurrence_id = turn.occurrence.id
    await state.set_state(DutyReportState.figure)
    await state.set_data(
        {"occurrence_id": occurrence_id, "summary": summary, "index": 0, "figures": {}}
    )
    await _ask(message, t, turn.duty, occurrence_id, 0)


async def _ask(message: Message, t: Translator, duty: Duty, occurrence_id: int, index: int) -> None:
    figure = duty.report[index]
    text = t(
        "duties.ask_figure",
        number=index + 1,
        total=len(duty.report),
        figure=reports.label(figure, t.language),
    )
    await message.answer(text, reply_markup=_buttons(t, occurrence_id))


async def figure(
    message: Message, person: Person, t: Translator, database: Database, state: FSMContext
) -> None:
    data = await state.get_data()
    turn = await doing.turn(database, int(data.get("occurrence_id") or 0), person)
    index = int(data.get("index") or 0)
    if index >= len(turn.duty.report):
        raise PoliteError("error.stale_button")
    spec = turn.duty.report[index]
    figures = {**data.get("figures", {}), spec["name"]: reports.read(spec, message.text or "")}
    await state.update_data(figures=figures, index=index + 1)
    if index + 1 < len(turn.duty.report):
        await _ask(message, t, turn.duty, turn.occurrence.id, index + 1)
        return
    await state.set_state(DutyReportState.confirm)
    await message.answer(
        _summary(t, turn.duty, figures), reply_markup=_buttons(t, turn.occurrence.id, True)
    )


def _summary(t: Translator, duty: Duty, figures: dict[str, Any]) -> str:
    lines = [t("duties.confirm_figures", name=duty.name)]
    for spec in duty.report:
        label = reports.label(spec, t.language)
        lines.append(t("duties.figure_line", figure=label, value=figures.get(spec["name"], "—")))
    return "\n".join(lines)


async def step(
    query: CallbackQuery,
    callback_data: DutyReportStep,
    person: Person,
    t: Translator,
    database: Database,
    state: FSMContext,
) -> None:
    data = await state.get_data()
    if int(data.get("occurrence_id") or -1) != callback_data.occurrence_id:
        raise PoliteError("error.stale_button")  # another duty's, or a finished draft's
    turn = await doing.turn(database, callback_data.occurrence_id, person)
    await query.answer()
    message = query.message
    if not isinstance(message, Message):
        return
    await message.edit_reply_markup(reply_markup=None)
    if callback_data.do is DutyReportDo.CANCEL:
        await state.clear()
        await message.answer(t("duties.report_cancelled"), reply_markup=main_menu(t, person.role))
    elif callback_data.do is DutyReportDo.CONFIRM:
        await _file(message, person, t, database, state, turn, data)
    else:
        await _back(message, t, state, turn, data)


async def _back(
    message: Message, t: Translator, state: FSMContext, turn: Turn, data: dict[str, Any]
) -> None:
    """A step back: the previous figure, or the summary again before the first."""
    index = int(data.get("index") or 0) - 1
    if index < 0:
        await state.set_state(DutyState.finishing)
        await state.set_data({"occurrence_id": turn.occurrence.id})
        await message.answer(t("duties.ask_summary"))
        return
    await state.set_state(DutyReportState.figure)
    await state.update_data(index=index)
    await _ask(message, t, turn.duty, turn.occurrence.id, index)


async def _file(
    message: Message,
    person: Person,
    t: Translator,
    database: Database,
    state: FSMContext,
    turn: Turn,
    data: dict[str, Any],
) -> None:
    if await state.get_state() != DutyReportState.confirm.state:
        raise PoliteError("error.stale_button")
    figures = {str(k): int(v) for k, v in (data.get("figures") or {}).items()}
    done = await doing.finish(
        database, turn.occurrence.id, person, str(data.get("summary") or ""), figures=figures
    )
    await state.clear()
    on_time = (
        done.occurrence.done_at is not None and done.occurrence.done_at <= done.occurrence.due_at
    )
    key = "duties.report_filed" if on_time else "duties.report_filed_late"
    await message.answer(t(key, name=done.duty.name), reply_markup=main_menu(t, person.role))


def create_router() -> Router:
    router = Router(name=__name__)
    doers = HasRole(Role.OFFICER, Role.LEAD, Role.ADMIN, Role.VOLUNTEER)
    private = F.chat.type == "private"
    typed = StateFilter(DutyReportState.figure)
    router.message.register(figure, private, typed, F.text, ~F.text.startswith("/"), doers)
    router.callback_query.register(step, DutyReportStep.filter(), doers)
    return router
