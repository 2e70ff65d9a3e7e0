"""Residents' groups (居民小组) of a community: a leader and a volunteer patrol team."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import utcnow


class ResidentGroup(Base):
    """A residents' group inside a community, led by its leader (who manages its volunteers)."""

    __tablename__ = "resident_groups"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    community_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    leader_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class GroupVolunteer(Base):
    """A volunteer of a residents' group (one group each)."""

    __tablename__ = "group_volunteers"

    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True
    )
    group_id: Mapped[int] = mapped_column(
        ForeignKey("resident_groups.id", ondelete="CASCADE"), index=True
    )
    added_at: Mapped[datetime] = mapped_column(default=utcnow)
