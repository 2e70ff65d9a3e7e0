"""Danger now (smoke or fire, a bite): the case is filed and alerted as soon as its place is
known; the words and photos the resident sends next are added to it.

A quick answer marked urgent turns the report around: the place is asked first (one tap to share
the location, or a typed address), then the case is filed at once and goes to the grid's
officers, the community lead, the admins and the category's department group together
(`bot.places.routing`: an urgent case reaches every level)."""

from __future__ import annotations

from contextlib import suppress
from typing import TYPE_CHECKING

from aiogram import F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import StateFilter
from aiogram.fsm.context import FSMContext
from aiogram.fsm.state import State, StatesGroup
from aiogram.types import Message

from bot.cases import access
from bot.cases.desk import Desk
from bot.reports.media import MediaStore
from bot.texts import Translator
from handlers.common.filters import NotAMenuOrCommand
from handlers.resident.feedback import add_to_case
from handlers.resident.report import filing
from storage.db import Database
from storage.models import Case, Person

if TYPE_CHECKING:
    from handlers.resident.report.steps import Flow


class DangerState(StatesGroup):
    more = State()  # filed: the resident's words and photos are added to the case


async def file_now(flow: Flow, draft: Case) -> None:
    """The place is known: file the case and alert everyone now; what follows is added."""
    outcome = await filing.submit(flow, draft)
    if flow.message_id is not None:  # the community's buttons: the report is filed
        with suppress(TelegramBadRequest):
            await flow.bot.edit_message_reply_markup(
                chat_id=flow.chat_id, message_id=flow.message_id, reply_markup=None
            )
    await flow.state.set_state(DangerState.more)
    await flow.state.set_data({"case_id": outcome.case.id})
    await filing.announce(flow, outcome, danger=True)


async def add_more(
    message: Message,
    person: Person,
    t: Translator,
    database: Database,
    desk: Desk,
    media: MediaStore,
    state: FSMContext,
) -> None:
    """Words or a photo after a danger-now filing: added to the case, its cards told."""
    data = await state.get_data()
    case = await access.reporters_case(database, person, int(data.get("case_id") or 0))
    await add_to_case(message, case, "info", person, database, desk, media)
    album = message.media_group_id
    if album is not None and data.get("album") == album:
        return  # one answer per album
    await state.update_data(album=album)
    await message.answer(t("report.danger_added", number=case.number or ""))


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private", StateFilter(DangerState.more))
    router.message.register(add_more, F.text | F.photo | F.document, NotAMenuOrCommand())
    return router
