"""The bot's own bookkeeping: conversation state, the update journal, scheduled job runs."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, str_enum
from storage.types import utcnow


class UpdateState(enum.StrEnum):
    HANDLING = "handling"
    HANDLED = "handled"
    FAILED = "failed"


class ConversationState(Base):
    """aiogram FSM state and data of one chat/user key, kept across restarts."""

    __tablename__ = "conversation_states"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    state: Mapped[str | None] = mapped_column(String(255))
    data: Mapped[dict[str, Any]] = mapped_column(default=dict)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class UpdateRecord(Base):
    """An update seen by the bot: claimed, handled, or failed with its payload and error."""

    __tablename__ = "update_log"

    bot_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    update_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    state: Mapped[UpdateState] = mapped_column(str_enum(UpdateState, "update_state"))
    attempts: Mapped[int] = mapped_column(Integer, default=1)
    payload: Mapped[dict[str, Any] | None]
    error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)


class JobRun(Base):
    """A scheduled job's run for a key (e.g. a day's digest), claimed once by one instance."""

    __tablename__ = "job_runs"

    name: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
