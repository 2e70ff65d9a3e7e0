"""Errors the person caused or can fix: each names the polite text that answers it.

They are not failures: the update journal counts the update as handled, and the error router
answers with the text in the person's language.
"""

from __future__ import annotations


class PoliteError(Exception):
    """Refuse politely with the text `key` filled with `values`."""

    def __init__(self, key: str, **values: object) -> None:
        super().__init__(key)
        self.key = key
        self.values = values
