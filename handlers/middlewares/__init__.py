"""Outer middlewares: the update journal, then the person and their language."""

from handlers.middlewares.journal import UpdateJournalMiddleware, UpdateOutcome
from handlers.middlewares.person import PersonMiddleware

__all__ = ["PersonMiddleware", "UpdateJournalMiddleware", "UpdateOutcome"]
