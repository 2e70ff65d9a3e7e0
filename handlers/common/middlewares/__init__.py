"""Outer middlewares: the update journal, the update's unit of work, then the person and their
language."""

from handlers.common.middlewares.journal import UpdateJournalMiddleware, UpdateOutcome
from handlers.common.middlewares.person import PersonMiddleware
from handlers.common.middlewares.unit_of_work import UnitOfWorkMiddleware

__all__ = [
    "PersonMiddleware",
    "UnitOfWorkMiddleware",
    "UpdateJournalMiddleware",
    "UpdateOutcome",
]
