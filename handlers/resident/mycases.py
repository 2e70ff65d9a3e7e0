"""/mycases: the resident's cases and followed ones, paged, and one case with its history."""

from __future__ import annotations

from contextlib import suppress
from datetime import tzinfo

from aiogram import Bot, F, Router
from aiogram.exceptions import TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, Message

from bot.cases import access, links
from bot.cases import views as case_views
from bot.cases.lifecycle import Action, allowed
from bot.errors import PoliteError
from bot.texts import Translator
from handlers.common.callbacks import CaseOpen, CasePage
from handlers.common.filters import MenuButton
from handlers.common.keyboards import case_details, case_list
from storage.db import Database
from storage.models import Case, CaseStatus, Person


async def _listing(
    person: Person, t: Translator, language: str, database: Database, page: int
) -> tuple[str, object]:
    lines, total = await case_views.my_cases(database, person.id, page)
    if total == 0:
        return t("mycases.none"), None
    pages = -(-total // case_views.PER_PAGE)
    rows = [
        (
            line.case.id,
            t(
                "mycases.line",
                number=line.case.number or "",
                category=line.category.name(language) if line.category else "",
                status=t(f"status.{line.case.status.value}"),
                mark="👁 " if line.following else "",
            ),
        )
        for line in lines
    ]
    return t("mycases.title", count=total), case_list(rows, page, pages, t)


async def list_cases(
    message: Message, person: Person, t: Translator, language: str, database: Database
) -> None:
    text, markup = await _listing(person, t, language, database, 0)
    await message.answer(text, reply_markup=markup)  # type: ignore[arg-type]


async def turn_page(
    query: CallbackQuery,
    callback_data: CasePage,
    person: Person,
    t: Translator,
    language: str,
    database: Database,
    bot: Bot,
) -> None:
    text, markup = await _listing(person, t, language, database, callback_data.page)
    await query.answer()
    if query.message is not None:
        with suppress(TelegramBadRequest):
            await bot.edit_message_text(
                text,
                chat_id=query.message.chat.id,
                message_id=query.message.message_id,
                reply_markup=markup,  # type: ignore[arg-type]
            )


async def open_case(
    query: CallbackQuery,
    callback_data: CaseOpen,
    person: Person,
    t: Translator,
    language: str,
    database: Database,
    bot: Bot,
    tz: tzinfo,
) -> None:
    found = await case_views.details(database, callback_data.case_id, person)
    if found is None or not await _may_read(database, person, found.case):
        raise PoliteError("case.not_found")
    await query.answer()
    text = _details_text(found, t, language, tz)
    case = found.case
    mine = case.reporter_id == person.id
    can_confirm = mine and case.status == CaseStatus.RESOLVED
    can_withdraw = mine and may_withdraw(case, person)
    share = await _share_url(bot, t, case)
    markup = case_details(t, case.id, 0, can_confirm, can_withdraw, share)
    await bot.send_message(query.from_user.id, text, reply_markup=markup)


async def _share_url(bot: Bot, t: Translator, case: Case) -> str | None:
    """Where "share this case" leads: Telegram's share page with the case's public link."""
    if not case.number:
        return None
    link = links.case_link((await bot.me()).username or "", case.number)
    return links.share_url(link, t("doors.share_text", number=case.number))


STAFF_ONLY_EVENTS = frozenset({"note", "escalate"})


def _details_text(found: case_views.CaseDetails, t: Translator, language: str, tz: tzinfo) -> str:
    case = found.case
    filed = case.submitted_at.astimezone(tz).strftime("%Y-%m-%d %H:%M") if case.submitted_at else ""
    lines = [
        t(
            "mycases.details_title",
            number=case.number or "",
            status=t(f"status.{case.status.value}"),
        ),
        t(
            "mycases.details_category",
            category=found.category.name(language) if found.category else "",
        ),
        t("mycases.details_filed", when=filed),
        *(
            [t("mycases.details_description", description=found.description)]
            if found.description is not None
            else []
        ),
        t("mycases.details_place", place=found.place or t("report.place_unknown")),
        t("mycases.details_support", photos=found.photos, followers=found.followers),
        "",
        t("mycases.history"),
    ]
    for event in found.events:
        if event.action in STAFF_ONLY_EVENTS:
            continue
        when = event.created_at.astimezone(tz).strftime("%m-%d %H:%M")
        line = t("mycases.event", when=when, what=t(f"event.{event.action}"))
        if event.note and event.action in ("resolve", "reject", "request_info"):
            line += t("mycases.event_note", note=event.note[:300])
        lines.append(line)
    return "\n".join(lines)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(list_cases, Command("mycases"))
    router.message.register(list_cases, MenuButton("menu.mycases"))
    router.callback_query.register(turn_page, CasePage.filter())
    router.callback_query.register(open_case, CaseOpen.filter())
    return router


def may_withdraw(case: Case, person: Person) -> bool:
    """The lifecycle's own rule, so the button shows exactly when the server would accept it."""
    return allowed(Action.WITHDRAW, case.status, person, case.reporter_id) is None


async def _may_read(database: Database, person: Person, case: Case) -> bool:
    async with database.sessions() as session:
        return await access.may_read(session, person, case)
