"""Keyboards of the report flow."""

from __future__ import annotations

from collections.abc import Sequence

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.texts import Translator
from handlers.common.callbacks import Nav, ReportAnswer, ReportCategory, ReportNav
from storage.models import Area, Case, Category

DEFAULT_ICON = "📌"  # a category without an icon of its own
EDIT_PARTS = ("category", "description", "photos", "place")


def _button(text: str, case_id: int, action: Nav, target: int = 0) -> InlineKeyboardButton:
    return InlineKeyboardButton(
        text=text, callback_data=ReportNav(case_id=case_id, action=action, target=target).pack()
    )


def _nav_row(t: Translator, case_id: int, back: bool = True) -> list[InlineKeyboardButton]:
    row = [_button(t("report.button_back"), case_id, Nav.BACK)] if back else []
    return [*row, _button(t("report.button_cancel"), case_id, Nav.CANCEL)]


def category_label(category: Category, language: str) -> str:
    return f"{category.icon or DEFAULT_ICON} {category.name(language)}"


def categories(
    t: Translator, case_id: int, choices: Sequence[Category], language: str
) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                text=category_label(c, language),
                callback_data=ReportCategory(case_id=case_id, category_id=c.id).pack(),
            )
        ]
        for c in choices
    ]
    return InlineKeyboardMarkup(inline_keyboard=[*rows, _nav_row(t, case_id, back=False)])


def question(t: Translator, case_id: int, asked: dict, language: str) -> InlineKeyboardMarkup:
    rows = [
        [
            InlineKeyboardButton(
                text=option[language] if language in option else option["zh"],
                callback_data=ReportAnswer(
                    case_id=case_id, key=asked["key"], option=option["key"]
                ).pack(),
            )
        ]
        for option in asked["options"]
    ]
    return InlineKeyboardMarkup(inline_keyboard=[*rows, _nav_row(t, case_id)])


def dog_number(t: Translator, case_id: int) -> InlineKeyboardMarkup:
    """The dog's number is typed; one tap when the resident does not know it."""
    skip = [_button(t("report.button_skip_dog"), case_id, Nav.DOG_SKIP)]
    return InlineKeyboardMarkup(inline_keyboard=[skip, _nav_row(t, case_id)])


def step_nav(t: Translator, case_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(inline_keyboard=[_nav_row(t, case_id)])


def photos(t: Translator, case_id: int, count: int) -> InlineKeyboardMarkup:
    done = t("report.button_photos_done") if count else t("report.button_skip_photos")
    return InlineKeyboardMarkup(
        inline_keyboard=[[_button(done, case_id, Nav.PHOTOS_DONE)], _nav_row(t, case_id)]
    )


def place(t: Translator, at_poster: bool = False) -> ReplyKeyboardMarkup:
    """Under the input field: share the location, say "not there now" (or, from a poster, "at
    the poster's grid"), go back or cancel."""
    other = "report.button_poster_grid" if at_poster else "report.button_not_there"
    return ReplyKeyboardMarkup(
        keyboard=[
            [KeyboardButton(text=t("report.button_send_location"), request_location=True)],
            [KeyboardButton(text=t(other))],
            [
                KeyboardButton(text=t("report.button_back")),
                KeyboardButton(text=t("report.button_cancel")),
            ],
        ],
        resize_keyboard=True,
        one_time_keyboard=False,
        input_field_placeholder=t("report.place_placeholder"),
    )


def communities(t: Translator, case_id: int, choices: Sequence[Area]) -> InlineKeyboardMarkup:
    buttons = [_button(area.name, case_id, Nav.COMMUNITY, area.id) for area in choices]
    rows = [buttons[i : i + 2] for i in range(0, len(buttons), 2)]
    return InlineKeyboardMarkup(inline_keyboard=[*rows, _nav_row(t, case_id)])


def summary(t: Translator, draft: Case) -> InlineKeyboardMarkup:
    """Submit / Edit / Anonymous / Cancel; an officer's patrol report offers "handled now"."""
    if draft.officer_found:
        second = _button(t("report.button_self_handle"), draft.id, Nav.SELF_HANDLE)
    else:
        key = "report.button_anonymous_on" if draft.anonymous else "report.button_anonymous_off"
        second = _button(t(key), draft.id, Nav.ANONYMOUS)
    rows = [
        [_button(t("report.button_submit"), draft.id, Nav.SUBMIT)],
        [_button(t("report.button_edit"), draft.id, Nav.EDIT), second],
    ]
    if not draft.officer_found and not draft.anonymous:
        key = "report.button_share_on" if draft.share_identity else "report.button_share_off"
        rows.append([_button(t(key), draft.id, Nav.SHARE)])
    rows.append([_button(t("report.button_cancel"), draft.id, Nav.CANCEL)])
    return InlineKeyboardMarkup(inline_keyboard=rows)


def edit_parts(t: Translator, case_id: int) -> InlineKeyboardMarkup:
    buttons = [
        _button(t(f"report.part_{part}"), case_id, Nav.EDIT_PART, index)
        for index, part in enumerate(EDIT_PARTS)
    ]
    return InlineKeyboardMarkup(
        inline_keyboard=[
            buttons[:2],
            buttons[2:],
            [_button(t("report.button_back"), case_id, Nav.SUMMARY)],
        ]
    )


def duplicate(t: Translator, case_id: int, existing_id: int) -> InlineKeyboardMarkup:
    return InlineKeyboardMarkup(
        inline_keyboard=[
            [_button(t("report.button_follow"), case_id, Nav.FOLLOW, existing_id)],
            [_button(t("report.button_different"), case_id, Nav.DIFFERENT)],
        ]
    )
