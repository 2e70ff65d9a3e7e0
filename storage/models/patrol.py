"""Patrol tracks: the points of the live location a person shares while doing a duty."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class DutyTrackPoint(Base):
    """One point of an occurrence's patrol track, in the order it was walked (`at`)."""

    __tablename__ = "duty_track_points"
    __table_args__ = (Index("ix_duty_track_points_occurrence_at", "occurrence_id", "at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    occurrence_id: Mapped[int] = mapped_column(
        ForeignKey("duty_occurrences.id", ondelete="CASCADE")
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(index=True)
