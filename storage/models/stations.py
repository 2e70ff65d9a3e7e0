"""Micro fire stations (微型消防站): their members, and each fire's response (alert, 出发,
arrival on site)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    Boolean,
    Float,
    ForeignKey,
    ForeignKeyConstraint,
    Index,
    SmallInteger,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import utcnow


class Station(Base):
    """A micro fire station of a community (or a key unit in it), at a place."""

    __tablename__ = "fire_stations"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(64), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("areas.id"), index=True)
    latitude: Mapped[float] = mapped_column(Float)
    longitude: Mapped[float] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class StationMember(Base):
    """Someone alerted to the station's fires while on duty (bot/stations/shifts.py).

    `on_duty` is the member's own switch (/onduty, /offduty) when `switched_at` is set; none
    (`switched_at` empty) means their shifts decide, and a member without shifts is on duty."""

    __tablename__ = "fire_station_members"

    station_id: Mapped[int] = mapped_column(
        ForeignKey("fire_stations.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    on_duty: Mapped[bool] = mapped_column(Boolean, default=True)
    switched_at: Mapped[datetime | None]


class StationShift(Base):
    """A member's weekly shift at a station, in local wall time: from `start_minute` after
    midnight of `weekday` (1 Monday … 7 Sunday) to `end_minute`, the next day when that is not
    after the start."""

    __tablename__ = "fire_station_shifts"
    __table_args__ = (
        ForeignKeyConstraint(
            ["station_id", "person_id"],
            ["fire_station_members.station_id", "fire_station_members.person_id"],
            ondelete="CASCADE",
        ),
        Index("ix_fire_station_shifts_member", "station_id", "person_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    station_id: Mapped[int]
    person_id: Mapped[int]
    weekday: Mapped[int] = mapped_column(SmallInteger)
    start_minute: Mapped[int] = mapped_column(SmallInteger)
    end_minute: Mapped[int] = mapped_column(SmallInteger)


class FireResponse(Base):
    """The response to one fire case: its station, the alert, the first 出发 and the arrival.

    `escalated_at` is the claim of the backup alert (set once, by one conditional update);
    `started_at` and `arrived_at` are set once each, so the resident is told once."""

    __tablename__ = "fire_responses"
    # The clock's check: alerts not yet escalated, by when they fall due.
    __table_args__ = (Index("ix_fire_responses_escalation", "escalated_at", "escalate_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), unique=True)
    station_id: Mapped[int] = mapped_column(ForeignKey("fire_stations.id"), index=True)
    alerted_at: Mapped[datetime] = mapped_column(default=utcnow)
    escalate_at: Mapped[datetime]
    escalated_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    arrived_at: Mapped[datetime | None]
    arrived_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    arrival_m: Mapped[float | None] = mapped_column(Float)


class StationAlert(Base):
    """A station alerted to a response: its own (backup False) or as a backup. Sending it is
    claimed (`claimed_at`, one conditional update) and stamped `sent_at` once done; a claim
    older than a lease is a stopped process's, and the clock sends it again."""

    __tablename__ = "fire_station_alerts"
    __table_args__ = (UniqueConstraint("response_id", "station_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    response_id: Mapped[int] = mapped_column(
        ForeignKey("fire_responses.id", ondelete="CASCADE"), index=True
    )
    station_id: Mapped[int] = mapped_column(
        ForeignKey("fire_stations.id", ondelete="CASCADE"), index=True
    )
    backup: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
