"""Column types shared by the models."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import DateTime
from sqlalchemy.engine import Dialect
from sqlalchemy.types import TypeDecorator


class UTCDateTime(TypeDecorator[datetime]):
    """An aware datetime stored in UTC; SQLite, which keeps no zone, gets it back as UTC too."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; use an aware one")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value.astimezone(UTC)


# How far the clock stands ahead of the wall clock: moved by the sandbox and by tests that watch
# deadlines pass (see `move_clock`). A module global, read by one addition, keeps `utcnow` as
# cheap as the wall clock's reading it wraps.
_ahead = timedelta(0)


def utcnow() -> datetime:
    """The current time, aware, in UTC: the one clock the code reads (wall time, plus however
    far `move_clock` moved it)."""
    return datetime.now(UTC) + _ahead


def move_clock(by: timedelta) -> datetime:
    """Move the clock forward by `by` (never back: what happened stays in the past); returns the
    new now. What the scheduler fires on wall time must then be run once (app/clock.py)."""
    global _ahead
    if by < timedelta(0):
        raise ValueError("the clock only moves forward")
    _ahead += by
    return utcnow()


def reset_clock() -> None:
    """Back to the wall clock (a fresh sandbox, the end of a test)."""
    global _ahead
    _ahead = timedelta(0)


def clock_ahead() -> timedelta:
    """How far the clock stands ahead of the wall clock."""
    return _ahead


# The tables' keys are INTEGER: 32 bits on PostgreSQL, where a larger number fails the query.
KEY_LIMIT = 2**31


def is_key(number: int) -> bool:
    """Whether a number from outside (a button, a link, a typed id) can name a row at all."""
    return 0 < number < KEY_LIMIT
