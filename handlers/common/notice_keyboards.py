"""Keyboards of subscriptions, the notice composer, the plan list and acknowledgements."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from aiogram.types import InlineKeyboardButton, InlineKeyboardMarkup

from bot.notices.campaign_control import CampaignView
from bot.notices.listings import Entry
from bot.texts import Translator
from handlers.common.callbacks import (
    CampaignAction,
    CampaignManage,
    Compose,
    NoticeAck,
    PlanAction,
    PlanFilter,
    PlanManage,
    PlanPage,
    Step,
    Sub,
    SubPick,
)
from storage.models import Area, Category, NoticePlan, PlanStatus

Button = InlineKeyboardButton


def _rows(buttons: Sequence[Button], width: int = 2) -> list[list[Button]]:
    return [list(buttons[i : i + width]) for i in range(0, len(buttons), width)]


def _ticked(text: str, on: bool) -> str:
    return ("✓ " if on else "") + text


def category_name(t: Translator, category: Category) -> str:
    return category.name_en if t.language == "en" else category.name_zh


def ack_button(t: Translator, notice_id: int) -> InlineKeyboardMarkup:
    """Under a notice that asks to be acknowledged."""
    data = NoticeAck(notice_id=notice_id).pack()
    return InlineKeyboardMarkup(
        inline_keyboard=[[Button(text=t("notice.ack_button"), callback_data=data)]]
    )


def subscribe_menu(
    t: Translator, communities: Iterable[Area], chosen: set[int]
) -> InlineKeyboardMarkup:
    areas = [
        Button(
            text=_ticked(area.name, area.id in chosen),
            callback_data=SubPick(action=Sub.AREA, value=area.id).pack(),
        )
        for area in communities
    ]
    return InlineKeyboardMarkup(
        inline_keyboard=[
            *_rows(areas),
            [
                Button(
                    text=t("subscribe.button_place"), callback_data=SubPick(action=Sub.PLACE).pack()
                )
            ],
            [
                Button(
                    text=t("subscribe.button_topics"),
                    callback_data=SubPick(action=Sub.TOPICS).pack(),
                ),
                Button(
                    text=t("subscribe.button_done"), callback_data=SubPick(action=Sub.DONE).pack()
                ),
            ],
        ]
    )


def topic_menu(
    t: Translator, categories: Iterable[Category], chosen: set[str]
) -> InlineKeyboardMarkup:
    topics = [
        Button(
            text=_ticked(category_name(t, category), category.code in chosen),
            callback_data=SubPick(action=Sub.TOPIC, value=category.id).pack(),
        )
        for category in categories
    ]
    every = Button(
        text=_ticked(t("subscribe.all_topics"), not chosen),
        callback_data=SubPick(action=Sub.ALL_TOPICS).pack(),
    )
    back = Button(text=t("subscribe.button_done"), callback_data=SubPick(action=Sub.DONE).pack())
    return InlineKeyboardMarkup(inline_keyboard=[[every], *_rows(topics), [back]])


def choices(
    t: Translator, pairs: Iterable[tuple[str, Step, str]], width: int = 1
) -> InlineKeyboardMarkup:
    """Composer buttons from (text key, step, value)."""
    buttons = [
        Button(text=t(key), callback_data=Compose(step=step, value=value).pack())
        for key, step, value in pairs
    ]
    return InlineKeyboardMarkup(inline_keyboard=[*_rows(buttons, width), [_cancel(t)]])


def _cancel(t: Translator) -> Button:
    return Button(text=t("compose.button_cancel"), callback_data=Compose(step=Step.CANCEL).pack())


def area_picker(t: Translator, areas: Iterable[Area], chosen: set[int]) -> InlineKeyboardMarkup:
    buttons = [
        Button(
            text=_ticked(area.name, area.id in chosen),
            callback_data=Compose(step=Step.AREA, value=str(area.id)).pack(),
        )
        for area in areas
    ]
    done = Button(
        text=t("compose.button_areas_done"), callback_data=Compose(step=Step.AREAS_DONE).pack()
    )
    return InlineKeyboardMarkup(inline_keyboard=[*_rows(buttons), [done], [_cancel(t)]])


def topic_picker(
    t: Translator, categories: Iterable[Category], allow_all: bool
) -> InlineKeyboardMarkup:
    buttons = [
        Button(
            text=category_name(t, c), callback_data=Compose(step=Step.TOPIC, value=c.code).pack()
        )
        for c in categories
    ]
    if allow_all:
        buttons.insert(
            0, Button(text=t("compose.topic_all"), callback_data=Compose(step=Step.TOPIC).pack())
        )
    return InlineKeyboardMarkup(inline_keyboard=[*_rows(buttons), [_cancel(t)]])


def preview(t: Translator, ack: bool, urgent: bool, toggles: bool = True) -> InlineKeyboardMarkup:
    """Send or cancel, and (for a notice, not a campaign, whose phases set their own) the
    acknowledge and urgent toggles."""
    rows = [
        [Button(text=t("compose.button_send"), callback_data=Compose(step=Step.SEND).pack())],
        [_cancel(t)],
    ]
    if toggles:
        switches = [
            Button(
                text=_ticked(t("compose.button_ack"), ack),
                callback_data=Compose(step=Step.ACK).pack(),
            ),
            Button(
                text=_ticked(t("compose.button_urgent"), urgent),
                callback_data=Compose(step=Step.URGENT).pack(),
            ),
        ]
        rows.insert(0, switches)
    return InlineKeyboardMarkup(inline_keyboard=rows)


CAMPAIGN_BUTTON_CHARS = 24


def plan_list(
    t: Translator, entries: Iterable[Entry], which: PlanFilter, page: int, pages: int
) -> InlineKeyboardMarkup:
    """A button per plan of the page and one per campaign, then ◀ page/pages ▶, then the
    filters (the shown one ticked)."""
    shown = list(entries)
    campaigns = [
        _campaign_button(entry, CampaignAction.VIEW, f"🗂 {entry.campaign.name}")
        for entry in shown
        if isinstance(entry, CampaignView)
    ]
    buttons = _plan_buttons(entry.plan for entry in shown if not isinstance(entry, CampaignView))
    paging = []
    if page > 0:
        paging.append(_page_button("◀", which, page - 1))
    if pages > 1:
        paging.append(_page_button(f"{page + 1}/{pages}", which, page))
    if page + 1 < pages:
        paging.append(_page_button("▶", which, page + 1))
    filters = [
        _page_button(_ticked(t(f"notices.filter_{shown.name.lower()}"), shown is which), shown, 0)
        for shown in PlanFilter
    ]
    rows = [*_rows(campaigns), *_rows(buttons, 5), *([paging] if paging else []), filters]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def _plan_buttons(plans: Iterable[NoticePlan]) -> list[Button]:
    return [
        Button(
            text=f"#{plan.id}",
            callback_data=PlanManage(plan_id=plan.id, action=PlanAction.VIEW).pack(),
        )
        for plan in plans
    ]


def _campaign_button(
    shown: CampaignView, action: CampaignAction, text: str, phase: int = 0
) -> Button:
    if len(text) > CAMPAIGN_BUTTON_CHARS:
        text = text[:CAMPAIGN_BUTTON_CHARS] + "…"
    data = CampaignManage(campaign_id=shown.campaign.id, action=action, phase=phase)
    return Button(text=text, callback_data=data.pack())


def campaign_actions(t: Translator, shown: CampaignView) -> InlineKeyboardMarkup:
    """Stop a phase that is still to run, or the whole campaign; then each of its plans."""
    rows = [
        [
            _campaign_button(
                shown,
                CampaignAction.STOP_PHASE,
                t("notices.button_stop_phase", phase=phase.phase.name),
                phase.index,
            )
        ]
        for phase in shown.phases
        if phase.stoppable
    ]
    if shown.stoppable:
        whole = t("notices.button_stop_campaign")
        rows.append([_campaign_button(shown, CampaignAction.STOP, whole)])
    return InlineKeyboardMarkup(inline_keyboard=[*rows, *_rows(_plan_buttons(shown.plans), 5)])


def _page_button(text: str, which: PlanFilter, page: int) -> Button:
    return Button(text=text, callback_data=PlanPage(which=which, page=page).pack())


def plan_actions(
    t: Translator, plan: NoticePlan, run_status: str | None
) -> InlineKeyboardMarkup | None:
    """Pause or resume, and cancel, for what can still change (the plan or its running send)."""
    sending, run_paused = run_status == "sending", run_status == "paused"
    buttons = []
    if plan.status == PlanStatus.ACTIVE or (plan.status == PlanStatus.DONE and sending):
        buttons.append((t("notices.button_pause"), PlanAction.PAUSE))
    if plan.status == PlanStatus.PAUSED or run_paused:
        buttons.append((t("notices.button_resume"), PlanAction.RESUME))
    if plan.status in (PlanStatus.ACTIVE, PlanStatus.PAUSED) or sending or run_paused:
        buttons.append((t("notices.button_cancel"), PlanAction.CANCEL))
    if not buttons:
        return None
    row = [
        Button(text=text, callback_data=PlanManage(plan_id=plan.id, action=action).pack())
        for text, action in buttons
    ]
    return InlineKeyboardMarkup(inline_keyboard=[row])
