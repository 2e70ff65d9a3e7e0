"""Keyboards: plain functions from texts and data to markup."""

from __future__ import annotations

from aiogram.types import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
)

from bot.texts import Translator
from handlers.callbacks import LanguageChoice

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
