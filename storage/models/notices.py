"""Notices: subscriptions, campaigns, plans, their runs and one delivery per recipient (the
outbox)."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, str_enum
from storage.types import utcnow


class DeliveryState(enum.StrEnum):
    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    BLOCKED = "blocked"
    CANCELLED = "cancelled"


class Subscription(Base):
    """A resident follows the notices of an area (a community chosen from the list, or the
    grid where they shared their location)."""

    __tablename__ = "subscriptions"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    area_id: Mapped[int] = mapped_column(
        ForeignKey("areas.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class SubscriptionTopic(Base):
    """A category a resident wants notices about; none at all means every notice."""

    __tablename__ = "subscription_topics"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    topic: Mapped[str] = mapped_column(String(32), primary_key=True)


class PlanStatus(enum.StrEnum):
    ACTIVE = "active"
    PAUSED = "paused"
    CANCELLED = "cancelled"
    DONE = "done"


class Campaign(Base):
    """A campaign (专项整治): a category, an audience and dated phases, each opened by a notice."""

    __tablename__ = "campaigns"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(128))
    category: Mapped[str | None] = mapped_column(String(32))
    audience: Mapped[dict[str, Any]] = mapped_column()
    phases: Mapped[list[dict[str, Any]]] = mapped_column(comment="[{name, start, end}] ISO dates")
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class NoticePlan(Base):
    """What an author composed: text, audience and when. Each time it is due it becomes a
    notice (one run) with its deliveries."""

    __tablename__ = "notice_plans"
    __table_args__ = (Index("ix_notice_plans_status_next", "status", "next_run_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    author_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    campaign_id: Mapped[int | None] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )
    campaign_phase: Mapped[int | None] = mapped_column(
        Integer, comment="index of its phase in the campaign's phases"
    )
    text: Mapped[str] = mapped_column(Text, comment="Telegram HTML")
    media_kind: Mapped[str | None] = mapped_column(String(16))
    media_file_id: Mapped[str | None] = mapped_column(String(256))
    audience: Mapped[dict[str, Any]] = mapped_column()
    repeat: Mapped[str] = mapped_column(String(16), default="once")
    schedule: Mapped[str] = mapped_column(String(64), default="")
    next_run_at: Mapped[datetime | None]
    until: Mapped[datetime | None]
    status: Mapped[PlanStatus] = mapped_column(
        str_enum(PlanStatus, "plan_status"), default=PlanStatus.ACTIVE
    )
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    ack: Mapped[bool] = mapped_column(Boolean, default=False)
    runs: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Notice(Base):
    """A message to many people; its deliveries are the outbox."""

    __tablename__ = "notices"

    id: Mapped[int] = mapped_column(primary_key=True)
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    text: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default="sending")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    total: Mapped[int] = mapped_column(Integer, default=0)
    plan_id: Mapped[int | None] = mapped_column(
        ForeignKey("notice_plans.id", ondelete="CASCADE"), index=True
    )
    reminder_of: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"))
    # What the notice is about when each reader's text and buttons are drawn at sending time
    # (e.g. "dog_day" and its id: the slots to book); None for a plain notice.
    subject_kind: Mapped[str | None] = mapped_column(String(16))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    media_kind: Mapped[str | None] = mapped_column(String(16))
    media_file_id: Mapped[str | None] = mapped_column(String(256))
    ack: Mapped[bool] = mapped_column(Boolean, default=False)
    reminded: Mapped[bool] = mapped_column(Boolean, default=False)
    progress_chat_id: Mapped[int | None] = mapped_column(BigInteger)
    progress_message_id: Mapped[int | None] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]


class Delivery(Base):
    """One recipient of one notice: pending until a sender claims it, then sent, failed or
    blocked. A crash leaves it `sending`; a stale claim goes back to pending."""

    __tablename__ = "deliveries"
    __table_args__ = (
        UniqueConstraint("notice_id", "person_id"),
        Index("ix_deliveries_state_id", "state", "id"),
        Index("ix_deliveries_notice_state", "notice_id", "state"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    notice_id: Mapped[int] = mapped_column(ForeignKey("notices.id", ondelete="CASCADE"))
    # Indexed for a person's received notices (/notices).
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id", ondelete="CASCADE"), index=True)
    chat_id: Mapped[int] = mapped_column(BigInteger)
    state: Mapped[DeliveryState] = mapped_column(
        str_enum(DeliveryState, "delivery_state"), default=DeliveryState.PENDING
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(Text)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    acked_at: Mapped[datetime | None]
