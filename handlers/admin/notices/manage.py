"""/notices: residents read recent notices of their areas; staff see their plans with delivery
progress and pause, resume or cancel them, and their campaigns as one entry each, whose phases
they stop one by one or all at once. And the "Read" button under notices."""

from __future__ import annotations

import contextlib
from datetime import date, tzinfo

from aiogram import F, Router
from aiogram.exceptions import TelegramAPIError, TelegramBadRequest
from aiogram.filters import Command
from aiogram.types import CallbackQuery, InlineKeyboardMarkup, Message

from bot.errors import PoliteError
from bot.notices import acknowledgements, campaign_control, listings, subscriptions
from bot.notices import plans as notices
from bot.notices.campaign_control import CampaignView
from bot.telegram.session import MESSAGE_LIMIT
from bot.texts import Translator, plain
from handlers.admin.notices.wording import describe_when
from handlers.common import notice_keyboards
from handlers.common.callbacks import (
    CampaignAction,
    CampaignManage,
    NoticeAck,
    PlanAction,
    PlanFilter,
    PlanManage,
    PlanPage,
)
from handlers.common.filters import MenuButton
from handlers.common.long_text import chunks
from storage.db import Database
from storage.models import Person, PlanStatus, Role
from storage.types import utcnow

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
        subscribed = (await subscriptions.choices(database, person.id)).subscribed
        await message.answer(t("notices.none_subscribed" if subscribed else "notices.none_for_me"))
        return
    lines = [t("notices.recent_title")]
    for notice in found:
        when = notice.created_at.astimezone(tz).strftime("%m-%d")
        lines.append(t("notices.recent_line", when=when, text=plain(notice.text, PREVIEW_CHARS)))
    await message.answer("\n\n".join(lines)[:MESSAGE_LIMIT])


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
    entries, total = await listings.staff_list(
        database, person, _today(tz), finished=FINISHED[which], page=page
    )
    if not entries and which is PlanFilter.ALL and page == 0:
        return t("notices.none"), notice_keyboards.plan_list(t, [], which, 0, 1)
    pages = max(1, -(-total // listings.PER_PAGE))
    name = t(f"notices.filter_{which.name.lower()}")
    lines = [t("notices.title", which=name, total=total)]
    for entry in entries:
        if isinstance(entry, CampaignView):
            lines += _campaign_lines(t, entry, short=True)
        else:
            lines.append(_line(t, entry, tz))
    markup = notice_keyboards.plan_list(t, entries, which, page, pages)
    return chunks(lines)[0], markup  # whole lines only: a cut tag would break the message


def _today(tz: tzinfo) -> date:
    return utcnow().astimezone(tz).date()


def _campaign_lines(t: Translator, shown: CampaignView, *, short: bool) -> list[str]:
    """The campaign's title and state, then a line per phase: its dates and state."""
    campaign = shown.campaign
    lines = [
        t(
            "notices.campaign_line",
            name=campaign.name,
            status=t(f"plan.{shown.status.value}"),
            phases=len(shown.phases),
        )
    ]
    form = "%m-%d" if short else "%Y-%m-%d"
    for phase in shown.phases:
        lines.append(
            t(
                "notices.phase_line",
                name=phase.phase.name,
                start=phase.phase.start.strftime(form),
                end=phase.phase.end.strftime(form),
                state=t(f"phase.{phase.state.value}"),
            )
        )
    return lines


def _line(t: Translator, view: listings.PlanView, tz: tzinfo) -> str:
    plan, progress = view.plan, view.progress
    sent = t("notices.progress_short", sent=progress.sent, total=progress.total) if progress else ""
    return t(
        "notices.line",
        number=plan.id,
        status=t(f"plan.{plan.status.value}"),
        when=describe_when(t, plan.repeat, plan.schedule, tz),
        text=plain(plan.text, 40),
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


async def on_campaign(
    query: CallbackQuery,
    callback_data: CampaignManage,
    t: Translator,
    person: Person,
    database: Database,
    tz: tzinfo,
) -> None:
    """Open a campaign, or stop it or one of its phases (author or admin: checked here)."""
    campaign = await campaign_control.campaign_for(database, callback_data.campaign_id, person)
    shown = await campaign_control.view(database, campaign, _today(tz))
    action = callback_data.action
    if action == CampaignAction.VIEW:
        await query.answer()
    else:
        phase = callback_data.phase if action == CampaignAction.STOP_PHASE else None
        count = await campaign_control.stop(database, shown, tz, phase)
        await query.answer(t("notices.campaign_stopped", count=count))
        shown = await campaign_control.view(database, campaign, _today(tz))
    text = chunks(_campaign_lines(t, shown, short=False))[0]
    markup = notice_keyboards.campaign_actions(t, shown)
    message = query.message
    assert isinstance(message, Message)
    if action == CampaignAction.VIEW:
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
    router.callback_query.register(on_campaign, CampaignManage.filter())
    return router
