"""Routine duties (checks and patrols on a rhythm) and their occurrences, one per period."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, str_enum
from storage.models.cases import Role
from storage.types import utcnow


class Rhythm(enum.StrEnum):
    DAILY = "daily"
    WEEKLY = "weekly"  # on `day` (1 Monday … 7 Sunday)
    HALF_MONTH = "half_month"  # from the 1st and the 16th
    MONTHLY = "monthly"  # from day `day` (the month's last day when it has fewer)
    CRON = "cron"  # from each firing of the five-field cron expression `cron`


class Duty(Base):
    """Who (a role in an area: a grid's officers, a community's lead, the street's admins when
    `area_id` is None), on which rhythm, what (a checklist of {zh, en} items, photos or not) and
    by when (`deadline_hours` after its period starts)."""

    __tablename__ = "duties"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"), index=True)
    rhythm: Mapped[Rhythm] = mapped_column(str_enum(Rhythm, "duty_rhythm"))
    day: Mapped[int] = mapped_column(Integer, default=1)
    checklist: Mapped[list[dict[str, Any]]]
    photos: Mapped[bool] = mapped_column(Boolean, default=False)
    track: Mapped[bool] = mapped_column(Boolean, default=False)  # a patrol track is required
    deadline_hours: Mapped[int] = mapped_column(Integer, default=24)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    cron: Mapped[str | None] = mapped_column(String(64))
    # A report duty's figures: [{name, zh, en, most}], asked one by one when it is done.
    report: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    # A residents' group's duty (who: volunteer): its volunteers do it.
    group_id: Mapped[int | None] = mapped_column(
        ForeignKey("resident_groups.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DutyOccurrence(Base):
    """One period's turn of a duty: created once by the clock (unique per duty and period),
    started and finished by one of its people; `reminded_at` and `escalation_level` are each
    claimed by one conditional update, so two instances never remind or escalate twice."""

    __tablename__ = "duty_occurrences"
    __table_args__ = (
        UniqueConstraint("duty_id", "period_start"),
        # The clock's watch: occurrences not done, by deadline.
        Index("ix_duty_occurrences_open", "done_at", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    duty_id: Mapped[int] = mapped_column(ForeignKey("duties.id", ondelete="CASCADE"))
    period_start: Mapped[date] = mapped_column(Date)
    starts_at: Mapped[datetime]
    due_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    announced_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    started_at: Mapped[datetime | None]
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    checked: Mapped[list[int]] = mapped_column(JSON, default=list)
    photo_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[str | None] = mapped_column(Text)
    figures: Mapped[dict[str, int] | None] = mapped_column(JSON)  # a report duty's, as filed
    done_at: Mapped[datetime | None]


class DutyFind(Base):
    """A case filed from inside an occurrence (an officer's find, 自行发现)."""

    __tablename__ = "duty_finds"

    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("duty_occurrences.id", ondelete="CASCADE"), primary_key=True
    )
    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True, index=True
    )
