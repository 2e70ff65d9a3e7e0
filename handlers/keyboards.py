"""Keyboards: plain functions from texts and data to markup."""

from __future__ import annotations

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.cases import Action, Outcome
from bot.texts import Translator
from handlers.callbacks import CaseOpen, CasePage, Feedback, LanguageChoice, Verdict

LANGUAGE_NAMES = {"zh": "简体中文", "en": "English"}


def main_menu(t: Translator) -> ReplyKeyboardMarkup:
    """The resident's menu under the input field."""
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=t("menu.report")), KeyboardButton(text=t("menu.mycases"))],
            [KeyboardButton(text=t("menu.help")), KeyboardButton(text=t("menu.language"))],
        ],
        resize_keyboard=True,
        is_persistent=True,
        input_field_placeholder=t("menu.placeholder"),
    )


def language_choice(current: str) -> InlineKeyboardMarkup:
    """One button per language; the current one is ticked."""
    buttons = [
        InlineKeyboardButton(
            text=("✓ " if code == current else "") + name,
            callback_data=LanguageChoice(code=code).pack(),
        )
        for code, name in LANGUAGE_NAMES.items()
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
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [
                InlineKeyboardButton(
                    text=t("feedback.button_more_info"),
                    callback_data=Feedback(case_id=case_id, verdict=Verdict.INFO).pack(),
                )
            ]
        ]
    )


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


def case_details(t: Translator, case_id: int, page: int, can_confirm: bool) -> InlineKeyboardMarkup:
    rows = feedback_buttons(t, case_id).inline_keyboard if can_confirm else []
    back = InlineKeyboardButton(
        text=t("mycases.button_back"), callback_data=CasePage(page=page).pack()
    )
    return InlineKeyboardMarkup(inline_keyboard=[*rows, [back]])
