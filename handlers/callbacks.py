"""Callback data of every inline button: short versioned prefixes, ids and actions only.

Nothing in callback data is trusted: handlers check on the server who may do what.
"""

from aiogram.filters.callback_data import CallbackData


class LanguageChoice(CallbackData, prefix="v1lang"):
    code: str
