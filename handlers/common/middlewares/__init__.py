"""Outer middlewares: the update journal, then the person and their language."""

from handlers.common.middlewares.journal import UpdateJournalMiddleware, UpdateOutcome
from handlers.common.middlewares.person import PersonMiddleware

__all__ = ["PersonMiddleware", "UpdateJournalMiddleware", "UpdateOutcome"]
