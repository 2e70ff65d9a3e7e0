"""The reporter closes the loop: fixed or not fixed, a 1–5 rating with an optional comment, and
more information when an officer asks for it."""

from __future__ import annotations

from typing import Any

from aiogram import Bot, F, Router
from aiogram.filters import Filter, StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import CallbackQuery, Message

from bot.cases import access, lifecycle, questions
from bot.cases.desk import Desk
from bot.reports import drafts
from bot.reports.media import MediaStore
from bot.texts import Catalogue, Translator
from handlers.common.callbacks import Feedback, Verdict
from handlers.common.images import incoming_image, store_image
from handlers.common.keyboards import main_menu, menu_texts, rating_buttons, skip_button
from storage.db import Database
from storage.models import Case, Person

MAX_COMMENT = 500


class FeedbackState(StatesGroup):
    comment = State()  # after rating: an optional comment
    details = State()  # after "not fixed" or an officer's question: words or a photo


async def on_feedback(
    query: CallbackQuery,
    callback_data: Feedback,
    person: Person,
    t: Translator,
    database: Database,
    desk: Desk,
    state: FSMContext,
    bot: Bot,
) -> None:
    case_id, verdict = callback_data.case_id, callback_data.verdict
    chat = query.from_user.id
    if verdict is Verdict.FIXED:
        await desk.act(case_id, lifecycle.Action.CONFIRM, person)
        await query.answer()
        await bot.send_message(
            chat, t("feedback.thanks_rate"), reply_markup=rating_buttons(t, case_id)
        )
    elif verdict is Verdict.NOT_FIXED:
        await desk.act(case_id, lifecycle.Action.REOPEN, person)
        await query.answer()
        await state.set_state(FeedbackState.details)
        await state.set_data({"case_id": case_id, "why": "reopen"})
        await bot.send_message(chat, t("feedback.ask_why"), reply_markup=skip_button(t, case_id))
    elif verdict is Verdict.RATE:
        await desk.act(case_id, lifecycle.Action.RATE, person, rating=callback_data.value)
        await query.answer(t("feedback.rated", stars="⭐" * callback_data.value))
        await state.set_state(FeedbackState.comment)
        await state.set_data({"case_id": case_id})
        await bot.send_message(
            chat, t("feedback.ask_comment"), reply_markup=skip_button(t, case_id)
        )
    elif verdict is Verdict.NOTHING:
        case = await access.reporters_case(database, person, case_id)
        note = t("feedback.nothing_to_add_note")
        await desk.act(case.id, lifecycle.Action.ADD_INFO, person, note=note)
        await query.answer()
        await state.clear()
        done = t("feedback.nothing_to_add_done", number=case.number or "")
        await bot.send_message(chat, done, reply_markup=main_menu(t, person.role))
    elif verdict is Verdict.INFO:
        await access.reporters_case(database, person, case_id)
        await query.answer()
        await state.set_state(FeedbackState.details)
        await state.set_data({"case_id": case_id, "why": "info"})
        await bot.send_message(chat, t("feedback.ask_info"), reply_markup=skip_button(t, case_id))
    else:
        await access.reporters_case(database, person, case_id)
        await query.answer()
        await state.clear()
        await bot.send_message(chat, t("feedback.thanks"), reply_markup=main_menu(t, person.role))


async def comment(
    message: Message,
    person: Person,
    t: Translator,
    database: Database,
    desk: Desk,
    state: FSMContext,
) -> None:
    text = drafts.check_length(message.text, MAX_COMMENT)
    case = await access.reporters_case(
        database, person, int((await state.get_data()).get("case_id") or 0)
    )
    await desk.act(case.id, lifecycle.Action.COMMENT, person, note=text)
    await state.clear()
    await message.answer(t("feedback.comment_saved"), reply_markup=main_menu(t, person.role))


async def details(
    message: Message,
    person: Person,
    t: Translator,
    database: Database,
    desk: Desk,
    media: MediaStore,
    state: FSMContext,
) -> None:
    """Words or a photo about a reopened case or an officer's question: added to the case."""
    data = await state.get_data()
    case = await access.reporters_case(database, person, int(data.get("case_id") or 0))
    await _add_info(message, case, str(data.get("why") or "info"), person, t, database, desk, media)
    await state.clear()


async def answer_question(
    message: Message,
    question: Case,
    person: Person,
    t: Translator,
    database: Database,
    desk: Desk,
    media: MediaStore,
) -> None:
    """The reporter's next message after an officer's question is its answer."""
    await _add_info(message, question, "info", person, t, database, desk, media)


async def _add_info(
    message: Message,
    case: Case,
    stage: str,
    person: Person,
    t: Translator,
    database: Database,
    desk: Desk,
    media: MediaStore,
) -> None:
    await add_to_case(message, case, stage, person, database, desk, media)
    await message.answer(
        t("feedback.details_saved", number=case.number or ""),
        reply_markup=main_menu(t, person.role),
    )


async def add_to_case(
    message: Message,
    case: Case,
    stage: str,
    person: Person,
    database: Database,
    desk: Desk,
    media: MediaStore,
) -> None:
    """The reporter's words or photo (or both, as a caption) added to their case; the cards
    are told."""
    note = drafts.check_length(message.text or message.caption, drafts.MAX_DESCRIPTION)
    if message.photo or message.document:
        await store_image(media, database, case.id, incoming_image(message), stage=stage)
    elif not note:
        raise drafts.ReportError("report.text_please")
    await desk.act(case.id, lifecycle.Action.ADD_INFO, person, note=note or None)


def create_router() -> Router:
    router = Router(name=__name__)
    router.callback_query.register(on_feedback, Feedback.filter())
    router.message.filter(F.chat.type == "private")
    router.message.register(comment, FeedbackState.comment, F.text)
    router.message.register(details, FeedbackState.details, F.text | F.photo | F.document)
    router.message.register(_text_please, StateFilter(FeedbackState))
    router.message.register(
        answer_question, StateFilter(None), F.text | F.photo | F.document, OpenQuestion()
    )
    return router


class OpenQuestion(Filter):
    """A message (not a command or a menu button) from a reporter an officer's question waits
    on; gives the handler that case as `question`."""

    def __init__(self) -> None:
        self._menus: frozenset[str] | None = None  # every menu button's text, read once

    async def __call__(
        self, message: Message, person: Person | None, database: Database, catalogue: Catalogue
    ) -> bool | dict[str, Any]:
        if self._menus is None:
            self._menus = menu_texts(catalogue)
        text = message.text or ""
        if person is None or text.startswith("/") or text in self._menus:
            return False
        case = await questions.awaiting_answer(database, person.id)
        return {"question": case} if case is not None else False


async def _text_please(message: Message, t: Translator) -> None:
    await message.answer(t("report.text_please"))
