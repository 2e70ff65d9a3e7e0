"""Keyboards: plain functions from texts and data to markup."""

from __future__ import annotations

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.cases.lifecycle import Action, Outcome
from bot.texts import Catalogue, Translator
from handlers.common.callbacks import (
    CaseDuty,
    CaseOpen,
    CasePage,
    Duty,
    Feedback,
    FireGo,
    LanguageChoice,
    Verdict,
    Withdraw,
    WithdrawStep,
)
from storage.models import Area, Case, CaseStatus, Role

# Each role's menu under the input field, as text keys by row.
MENUS: dict[Role, tuple[tuple[str, ...], ...]] = {
    Role.RESIDENT: (
        ("menu.report", "menu.mycases"),
        ("menu.mydogs", "menu.help"),
        ("menu.language",),
    ),
    Role.OFFICER: (
        ("menu.queue", "menu.patrol"),
        ("menu.onduty", "menu.offduty"),
        ("menu.help", "menu.language"),
    ),
    Role.LEAD: (
        ("menu.queue", "menu.patrol"),
        ("menu.stats", "menu.map"),
        ("menu.notices", "menu.help"),
        ("menu.language",),
    ),
    Role.VOLUNTEER: (
        ("menu.report", "menu.mycases"),
        ("menu.help", "menu.language"),
    ),
    Role.ADMIN: (
        ("menu.queue", "menu.stats"),
        ("menu.map", "menu.notices"),
        ("menu.help", "menu.language"),
    ),
}


def main_menu(t: Translator, role: Role = Role.RESIDENT) -> ReplyKeyboardMarkup:
    """The menu under the input field: each role's own, in the person's language."""
    return ReplyKeyboardMarkup(
        keyboard=[[KeyboardButton(text=t(key)) for key in row] for row in MENUS[role]],
        resize_keyboard=True,
        is_persistent=True,
        input_field_placeholder=t("menu.placeholder"),
    )


def language_choice(t: Translator, current: str) -> InlineKeyboardMarkup:
    """One button per language, each named in itself; the current one is ticked."""
    buttons = [
        InlineKeyboardButton(
            text=("✓ " if code == current else "") + t(f"language.name_{code}"),
            callback_data=LanguageChoice(code=code).pack(),
        )
        for code in t.catalogue.languages
    ]
    return InlineKeyboardMarkup(inline_keyboard=[buttons])


def feedback_buttons(t: Translator, case_id: int) -> InlineKeyboardMarkup:
    """Under a "resolved" notice: the reporter says whether it is fixed."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t("feedback.button_fixed"),
                    callback_data=Feedback(case_id=case_id, verdict=Verdict.FIXED).pack(),
                ),
                InlineKeyboardButton(
                    text=t("feedback.button_not_fixed"),
                    callback_data=Feedback(case_id=case_id, verdict=Verdict.NOT_FIXED).pack(),
                ),
            ]
        ]
    )


def more_info_button(t: Translator, case_id: int) -> InlineKeyboardMarkup:
    """Under an officer's question: the answer is the reporter's next message; this is the way
    out when they have nothing to add."""
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t("feedback.button_nothing_to_add"),
                    callback_data=Feedback(case_id=case_id, verdict=Verdict.NOTHING).pack(),
                )
            ]
        ]
    )


def menu_texts(catalogue: Catalogue) -> frozenset[str]:
    """Every menu button's text in every language."""
    keys = {key for rows in MENUS.values() for row in rows for key in row}
    return frozenset(text for key in keys for text in catalogue.every(key))


def rating_buttons(t: Translator, case_id: int) -> InlineKeyboardMarkup:
    stars = [
        InlineKeyboardButton(
            text="⭐" * value,
            callback_data=Feedback(case_id=case_id, verdict=Verdict.RATE, value=value).pack(),
        )
        for value in range(1, 6)
    ]
    return InlineKeyboardMarkup(inline_keyboard=[stars[:3], stars[3:]])


def skip_button(t: Translator, case_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t("feedback.button_skip"),
                    callback_data=Feedback(case_id=case_id, verdict=Verdict.SKIP).pack(),
                )
            ]
        ]
    )


def notice_buttons(t: Translator, outcome: Outcome, reporter: bool) -> InlineKeyboardMarkup | None:
    """The buttons under a lifecycle notice, for the reporter only."""
    if reporter and outcome.action is Action.RESOLVE:
        return feedback_buttons(t, outcome.case.id)
    if reporter and outcome.action is Action.REQUEST_INFO:
        return more_info_button(t, outcome.case.id)
    return None


def case_list(
    rows: list[tuple[int, str]], page: int, pages: int, t: Translator
) -> InlineKeyboardMarkup:
    """One button per case, then ◀ page/pages ▶."""
    buttons = [
        [InlineKeyboardButton(text=text, callback_data=CaseOpen(case_id=case_id).pack())]
        for case_id, text in rows
    ]
    paging = []
    if page > 0:
        paging.append(InlineKeyboardButton(text="◀", callback_data=CasePage(page=page - 1).pack()))
    if pages > 1:
        paging.append(
            InlineKeyboardButton(
                text=f"{page + 1}/{pages}", callback_data=CasePage(page=page).pack()
            )
        )
    if page + 1 < pages:
        paging.append(InlineKeyboardButton(text="▶", callback_data=CasePage(page=page + 1).pack()))
    return InlineKeyboardMarkup(inline_keyboard=[*buttons, paging] if paging else buttons)


def case_details(
    t: Translator,
    case_id: int,
    page: int,
    can_confirm: bool,
    can_withdraw: bool = False,
    share: str | None = None,
) -> InlineKeyboardMarkup:
    """A case of /mycases: fixed or not, withdraw, share its link (`share`), back to the list."""
    rows = feedback_buttons(t, case_id).inline_keyboard if can_confirm else []
    if can_withdraw:
        rows = [*rows, [_withdraw(t, "mycases.button_withdraw", case_id, WithdrawStep.ASK)]]
    if share:
        rows = [*rows, [InlineKeyboardButton(text=t("doors.button_share"), url=share)]]
    back = InlineKeyboardButton(
        text=t("mycases.button_back"), callback_data=CasePage(page=page).pack()
    )
    return InlineKeyboardMarkup(inline_keyboard=[*rows, [back]])


def withdraw_choices(t: Translator, case_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                _withdraw(t, "withdraw.button_confirm", case_id, WithdrawStep.NOW),
                _withdraw(t, "withdraw.button_keep", case_id, WithdrawStep.KEEP),
            ]
        ]
    )


def _withdraw(t: Translator, key: str, case_id: int, step: WithdrawStep) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=t(key), callback_data=Withdraw(case_id=case_id, step=step).pack()
    )


REJECT_REASONS = ("not_ours", "repeated", "untrue", "other")


def _duty(
    t: Translator, key: str, case_id: int, duty: Duty, target: int = 0
) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=t(key), callback_data=CaseDuty(case_id=case_id, duty=duty, target=target).pack()
    )


def card_buttons(t: Translator, case: Case) -> InlineKeyboardMarkup | None:
    """The buttons of an officer's card for the case's current status (none once it is done)."""
    if case.status == CaseStatus.NEW:
        rows = [
            [_duty(t, "desk.button_accept", case.id, Duty.ACCEPT)],
            [
                _duty(t, "desk.button_ask", case.id, Duty.ASK),
                _duty(t, "desk.button_transfer", case.id, Duty.TRANSFER),
            ],
            [
                _duty(t, "desk.button_merge", case.id, Duty.MERGE),
                _duty(t, "desk.button_reject", case.id, Duty.REJECT),
            ],
        ]
    elif case.status == CaseStatus.ACCEPTED:
        rows = [
            [_duty(t, "desk.button_resolve", case.id, Duty.RESOLVE)],
            [
                _duty(t, "desk.button_ask", case.id, Duty.ASK),
                _duty(t, "desk.button_note", case.id, Duty.NOTE),
            ],
            [_duty(t, "desk.button_reject", case.id, Duty.REJECT)],
        ]
    else:
        return None
    return InlineKeyboardMarkup(inline_keyboard=rows)


def transfer_choices(
    t: Translator, case_id: int, grids: list[Area], back_to_lead: int | None
) -> InlineKeyboardMarkup:
    """The other grids of the community, and "back to the lead" (the community itself)."""
    rows = [
        [
            InlineKeyboardButton(
                text=grid.name,
                callback_data=CaseDuty(case_id=case_id, duty=Duty.TO_GRID, target=grid.id).pack(),
            )
        ]
        for grid in grids
    ]
    if back_to_lead is not None:
        rows.append([_duty(t, "desk.button_to_lead", case_id, Duty.TO_GRID, back_to_lead)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def reject_reasons(t: Translator, case_id: int) -> InlineKeyboardMarkup:
    rows = [
        [_duty(t, f"desk.reason_{reason}", case_id, Duty.REASON, index)]
        for index, reason in enumerate(REJECT_REASONS)
    ]
    return InlineKeyboardMarkup(inline_keyboard=rows)


def no_photo(t: Translator, case_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[[_duty(t, "desk.button_no_photo", case_id, Duty.NO_PHOTO)]]
    )


def verify_place(t: Translator) -> ReplyKeyboardMarkup:
    """When resolving: share the current location to verify on site, or skip."""
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=t("report.button_send_location"), request_location=True)],
            [KeyboardButton(text=t("desk.button_skip_verify"))],
        ],
        resize_keyboard=True,
        one_time_keyboard=True,
    )


def fire_go_button(t: Translator, response_id: int) -> InlineKeyboardMarkup:
    """The on-my-way button under a fire's alert."""
    data = FireGo(response_id=response_id).pack()
    return InlineKeyboardMarkup(
        inline_keyboard=[[InlineKeyboardButton(text=t("stations.button_go"), callback_data=data)]]
    )


def arrival_keyboard(t: Translator) -> ReplyKeyboardMarkup:
    """One tap to share the location on arrival."""
    button = KeyboardButton(text=t("stations.button_arrived"), request_location=True)
    return ReplyKeyboardMarkup(keyboard=[[button]], resize_keyboard=True, one_time_keyboard=True)
