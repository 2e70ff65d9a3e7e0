"""/notices: residents read recent notices of their areas; staff see their plans with delivery
progress and pause, resume or cancel them. And the "Read" button under notices."""

from __future__ import annotations

import contextlib
import html
import re
from datetime import tzinfo

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.errors import PoliteError
from bot.notices import acknowledgements, listings
from bot.notices import plans as notices
from bot.telegram.session import MESSAGE_LIMIT
from bot.texts import Translator
from handlers.admin.notices.compose import describe_when
from handlers.common import notice_keyboards
from handlers.common.callbacks import NoticeAck, PlanAction, PlanFilter, PlanManage, PlanPage
from handlers.common.filters import MenuButton
from storage.db import Database
from storage.models import Person, PlanStatus, Role

PREVIEW_CHARS = 120
STATUS_BY_ACTION = {
    PlanAction.PAUSE: PlanStatus.PAUSED,
    PlanAction.RESUME: PlanStatus.ACTIVE,
    PlanAction.CANCEL: PlanStatus.CANCELLED,
}


async def list_notices(
    message: Message, t: Translator, person: Person, database: Database, tz: tzinfo
) -> None:
    if person.role in (Role.ADMIN, Role.LEAD):
        await _staff_list(message, t, person, database, tz)
        return
    found = await listings.recent_for(database, person)
    if not found:
        await message.answer(t("notices.none_for_me"))
        return
    lines = [t("notices.recent_title")]
    for notice in found:
        when = notice.created_at.astimezone(tz).strftime("%m-%d")
        lines.append(t("notices.recent_line", when=when, text=_plain(notice.text)))
    await message.answer("\n\n".join(lines)[:MESSAGE_LIMIT])


def _plain(html_text: str) -> str:
    """A short plain-text preview (tags dropped; the value is escaped again when shown)."""
    text = html.unescape(re.sub(r"<[^>]+>", "", html_text))
    return text if len(text) <= PREVIEW_CHARS else text[:PREVIEW_CHARS] + "…"


async def _staff_list(
    message: Message, t: Translator, person: Person, database: Database, tz: tzinfo
) -> None:
    text, markup = await _page(t, person, database, tz, PlanFilter.ALL, page=0)
    await message.answer(text, reply_markup=markup)


async def turn_page(
    query: CallbackQuery,
    callback_data: PlanPage,
    t: Translator,
    person: Person,
    database: Database,
    tz: tzinfo,
) -> None:
    """Another page or filter (all, current, finished) of /notices, edited in place."""
    if person.role not in (Role.ADMIN, Role.LEAD):
        raise PoliteError("error.not_allowed")
    text, markup = await _page(t, person, database, tz, callback_data.which, callback_data.page)
    await query.answer()
    if isinstance(query.message, Message):
        with contextlib.suppress(TelegramBadRequest):  # "not modified": the same page pressed again
            await query.message.edit_text(text, reply_markup=markup)


FINISHED = {PlanFilter.ALL: None, PlanFilter.CURRENT: False, PlanFilter.FINISHED: True}


async def _page(
    t: Translator, person: Person, database: Database, tz: tzinfo, which: PlanFilter, page: int
) -> tuple[str, InlineKeyboardMarkup]:
    views, total = await listings.staff_list(database, person, finished=FINISHED[which], page=page)
    if not views and which is PlanFilter.ALL and page == 0:
        return t("notices.none"), notice_keyboards.plan_list(t, [], which, 0, 1)
    pages = max(1, -(-total // listings.PER_PAGE))
    name = t(f"notices.filter_{which.name.lower()}")
    lines = [t("notices.title", which=name, total=total)] + [_line(t, view, tz) for view in views]
    markup = notice_keyboards.plan_list(t, (view.plan for view in views), which, page, pages)
    return "\n".join(lines)[:MESSAGE_LIMIT], markup


def _line(t: Translator, view: listings.PlanView, tz: tzinfo) -> str:
    plan, progress = view.plan, view.progress
    sent = t("notices.progress_short", sent=progress.sent, total=progress.total) if progress else ""
    return t(
        "notices.line",
        number=plan.id,
        status=t(f"plan.{plan.status.value}"),
        when=describe_when(t, plan.repeat, plan.schedule, tz),
        text=_plain(plan.text)[:40],
        sent=sent,
    )


async def on_manage(
    query: CallbackQuery,
    callback_data: PlanManage,
    t: Translator,
    person: Person,
    database: Database,
    tz: tzinfo,
) -> None:
    plan = await notices.plan_for(database, callback_data.plan_id, person)
    if callback_data.action != PlanAction.VIEW:
        await notices.set_status(database, plan, STATUS_BY_ACTION[callback_data.action], tz)
        plan = await notices.plan_for(database, plan.id, person)
    await query.answer()
    view = await listings.plan_view(database, plan)
    text = await _details(t, view, database, tz)
    run_status = view.last.status if view.last else None
    markup = notice_keyboards.plan_actions(t, plan, run_status)
    message = query.message
    assert isinstance(message, Message)
    if callback_data.action == PlanAction.VIEW:
        await message.answer(text, reply_markup=markup)
    else:
        with contextlib.suppress(TelegramAPIError):
            await message.edit_text(text, reply_markup=markup)


async def _details(t: Translator, view: listings.PlanView, database: Database, tz: tzinfo) -> str:
    plan, progress, last = view.plan, view.progress, view.last
    lines = [
        _line(t, view, tz),
        "",
        plan.text,
        "",
    ]
    if plan.next_run_at and plan.status == PlanStatus.ACTIVE:
        lines.append(
            t("notices.next_run", at=plan.next_run_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"))
        )
    if progress and last:
        lines.append(
            t(
                "notices.progress_full",
                sent=progress.sent,
                remaining=progress.remaining,
                blocked=progress.blocked,
                failed=progress.failed,
            )
        )
        if last.ack:
            silent = await acknowledgements.unacknowledged(database, last.id)
            lines.append(t("notices.acked", acked=view.acked, total=progress.total))
            if silent:
                lines.append(t("notices.not_acked", names=t("list.names").join(silent)))
    return "\n".join(lines)[:MESSAGE_LIMIT]


async def on_ack(
    query: CallbackQuery,
    callback_data: NoticeAck,
    t: Translator,
    person: Person,
    database: Database,
) -> None:
    first = await acknowledgements.acknowledge(database, callback_data.notice_id, person)
    await query.answer(t("notice.acked" if first else "notice.already_acked"))
    message = query.message
    if isinstance(message, Message):
        with contextlib.suppress(TelegramAPIError):
            await message.edit_reply_markup(reply_markup=None)


def create_router() -> Router:
    router = Router(name=__name__)
    router.message.filter(F.chat.type == "private")
    router.message.register(list_notices, Command("notices"))
    router.message.register(list_notices, MenuButton("menu.notices"))
    router.callback_query.register(turn_page, PlanPage.filter())
    router.callback_query.register(on_ack, NoticeAck.filter())
    router.callback_query.register(on_manage, PlanManage.filter())
    return router
