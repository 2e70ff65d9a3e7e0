"""A case's link (`/start c_<number>`): its public view and a button to follow it."""

from __future__ import annotations

from contextlib import suppress
from datetime import tzinfo

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import CommandObject, CommandStart
from aiogram.types import CallbackQuery, InlineKeyboardButton, InlineKeyboardMarkup, Message

from bot.cases import links
from bot.cases import views as case_views
from bot.cases.desk import Desk
from bot.errors import PoliteError
from bot.texts import Translator
from handlers.common.callbacks import CaseFollow
from handlers.common.keyboards import main_menu
from storage.db import Database
from storage.models import Case, Person

ANSWERS = {
    links.Followed.NOW: "report.following",
    links.Followed.ALREADY: "doors.already_following",
    links.Followed.OWN: "doors.own_case",
    links.Followed.CLOSED: "doors.finished",
}


async def open_case_link(
    message: Message,
    command: CommandObject,
    person: Person,
    t: Translator,
    language: str,
    database: Database,
    tz: tzinfo,
) -> None:
    """Only what the street would publish, whoever opens it; unknown or forged: a polite no."""
    case = await links.by_payload(database, command.args or "")
    if case is None:
        raise PoliteError("doors.case_unknown")
    following = await links.is_following(database, case.id, person.id)
    refused = links.follow_state(case, person, following)
    text = await _public_text(database, case, t, language, tz)
    if refused is not None:
        answer = t(ANSWERS[refused], number=case.number or "")
        await message.answer(f"{text}\n\n{answer}", reply_markup=main_menu(t, person.role))
        return
    button = InlineKeyboardButton(
        text=t("doors.button_follow"), callback_data=CaseFollow(case_id=case.id).pack()
    )
    await message.answer(
        f"{text}\n\n{t('doors.offer_follow')}",
        reply_markup=InlineKeyboardMarkup(inline_keyboard=[[button]]),
    )


async def follow_case(
    query: CallbackQuery,
    callback_data: CaseFollow,
    person: Person,
    t: Translator,
    language: str,
    database: Database,
    desk: Desk,
    bot: Bot,
    tz: tzinfo,
) -> None:
    """The follow button: the message is edited in place to say it is done (no new message)."""
    case, result = await links.follow(database, callback_data.case_id, person)
    if case is None:
        raise PoliteError("case.not_found")
    await query.answer()
    text = await _public_text(database, case, t, language, tz)
    answer = t(ANSWERS[result], number=case.number or "")
    if query.message is not None:
        with suppress(TelegramBadRequest):
            await bot.edit_message_text(
                f"{text}\n\n{answer}",
                chat_id=query.message.chat.id,
                message_id=query.message.message_id,
                reply_markup=None,
            )
    if result is links.Followed.NOW:
        await desk.refresh_cards(case.id)  # the cards count its followers


async def _public_text(
    database: Database, case: Case, t: Translator, language: str, tz: tzinfo
) -> str:
    shown = await case_views.public(database, case)
    filed = (
        shown.submitted_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if shown.submitted_at else ""
    )
    return t(
        "doors.case_public",
        number=shown.number,
        category=shown.category.name(language) if shown.category else "",
        status=t(f"status.{shown.status.value}"),
        place=shown.area or t("report.place_unknown"),
        when=filed,
    )


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    door = CommandStart(deep_link=True, magic=F.args.startswith(links.CASE_PREFIX))
    router.message.register(open_case_link, door)
    router.callback_query.register(follow_case, CaseFollow.filter())
    return router
