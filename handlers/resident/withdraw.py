"""Withdrawal: a reporter takes back their own case while nobody has accepted it, with an optional
reason (the next message they send), audited as the lifecycle's WITHDRAW."""

from __future__ import annotations

from aiogram import Bot, F, Router
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.cases import access, lifecycle
from bot.cases.desk import Desk
from bot.reports import drafts
from bot.texts import Translator
from handlers.common.callbacks import Withdraw, WithdrawStep
from handlers.common.keyboards import main_menu, withdraw_choices
from storage.db import Database
from storage.models import Case, Person

MAX_REASON = 500


class WithdrawState(StatesGroup):
    reason = State()  # the reporter may write why


async def on_withdraw(
    query: CallbackQuery,
    callback_data: Withdraw,
    person: Person,
    t: Translator,
    database: Database,
    desk: Desk,
    state: FSMContext,
    bot: Bot,
) -> None:
    case = await access.reporters_case(database, person, callback_data.case_id)
    chat, number = query.from_user.id, case.number or ""
    if callback_data.step is WithdrawStep.KEEP:
        await state.clear()
        await query.answer()
        await bot.send_message(
            chat, t("withdraw.kept", number=number), reply_markup=main_menu(t, person.role)
        )
        return
    refusal = lifecycle.allowed(lifecycle.Action.WITHDRAW, case.status, person, case.reporter_id)
    if refusal:
        raise lifecycle.CaseError(refusal, case)
    if callback_data.step is WithdrawStep.NOW:
        done = await _withdraw(case, person, None, t, desk, state)
        await query.answer()
        await bot.send_message(chat, done, reply_markup=main_menu(t, person.role))
        return
    await state.set_state(WithdrawState.reason)
    await state.set_data({"case_id": case.id})
    await query.answer()
    await bot.send_message(
        chat, t("withdraw.ask", number=number), reply_markup=withdraw_choices(t, case.id)
    )


async def reason(
    message: Message,
    person: Person,
    t: Translator,
    database: Database,
    desk: Desk,
    state: FSMContext,
) -> None:
    text = drafts.check_length(message.text, MAX_REASON)
    case_id = int((await state.get_data()).get("case_id") or 0)
    case = await access.reporters_case(database, person, case_id)
    done = await _withdraw(case, person, text or None, t, desk, state)
    await message.answer(done, reply_markup=main_menu(t, person.role))


async def _withdraw(
    case: Case, person: Person, note: str | None, t: Translator, desk: Desk, state: FSMContext
) -> str:
    """Withdraw the case; returns what to tell its reporter."""
    await desk.act(case.id, lifecycle.Action.WITHDRAW, person, note=note)
    await state.clear()
    return t("withdraw.done", number=case.number or "")


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_withdraw, Withdraw.filter())
    router.message.filter(F.chat.type == "private")
    router.message.register(reason, WithdrawState.reason, F.text)
    router.message.register(_text_please, WithdrawState.reason)
    return router


async def _text_please(message: Message, t: Translator) -> None:
    await message.answer(t("report.text_please"))
