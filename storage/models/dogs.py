"""Dogs and their owners: the register (犬类登记), its audit trail, and the vaccination
reminders already queued."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base, str_enum
from storage.types import utcnow


class DogStatus(enum.StrEnum):
    PENDING = "pending"  # waiting for the community's review
    RETURNED = "returned"  # sent back to the owner with a reason
    APPROVED = "approved"  # registered: has a number
    LOST = "lost"
    DEAD = "dead"
    REHOMED = "rehomed"


class Dog(Base):
    """A dog an owner registered, in the grid where it lives."""

    __tablename__ = "dogs"
    __table_args__ = (
        Index("ix_dogs_area_status", "area_id", "status"),
        # The lapse reminders: approved dogs by vaccination date.
        Index("ix_dogs_status_vaccinated", "status", "vaccinated_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    status: Mapped[DogStatus] = mapped_column(
        str_enum(DogStatus, "dog_status"), default=DogStatus.PENDING
    )
    name: Mapped[str] = mapped_column(String(64))
    breed: Mapped[str] = mapped_column(String(64))  # a breed code, or the owner's words
    colour: Mapped[str] = mapped_column(String(64))
    size: Mapped[str] = mapped_column(String(16))
    sex: Mapped[str] = mapped_column(String(16))
    photo_file_id: Mapped[str] = mapped_column(String(256))
    photo_unique_id: Mapped[str] = mapped_column(String(64))
    vaccinated_on: Mapped[date] = mapped_column(Date)
    certificate: Mapped[str] = mapped_column(String(64))
    restricted: Mapped[bool] = mapped_column(Boolean, default=False)
    return_reason: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    approved_at: Mapped[datetime | None]


class DogEvent(Base):
    """One line of a dog's audit trail: who did what, when, from which status to which."""

    __tablename__ = "dog_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    dog_id: Mapped[int] = mapped_column(ForeignKey("dogs.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DogVaccination(Base):
    """A newer vaccination an owner sent with a photo of its certificate, waiting for the
    community's staff to confirm it (only a confirmed one renews the dog's) or refuse it."""

    __tablename__ = "dog_vaccinations"

    id: Mapped[int] = mapped_column(primary_key=True)
    dog_id: Mapped[int] = mapped_column(ForeignKey("dogs.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    vaccinated_on: Mapped[date] = mapped_column(Date)
    certificate: Mapped[str] = mapped_column(String(64))
    photo_file_id: Mapped[str] = mapped_column(String(256))
    photo_unique_id: Mapped[str] = mapped_column(String(64))
    status: Mapped[str] = mapped_column(String(16), default="pending")  # confirmed, refused
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    decided_at: Mapped[datetime | None]
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))


class DogReminder(Base):
    """A vaccination reminder queued for a dog (stage 1: 30 days before the lapse, 2: 7 days
    before, 3: lapsed), once per vaccination date; the notice it became is in the outbox."""

    __tablename__ = "dog_reminders"

    dog_id: Mapped[int] = mapped_column(ForeignKey("dogs.id", ondelete="CASCADE"), primary_key=True)
    vaccinated_on: Mapped[date] = mapped_column(Date, primary_key=True)
    stage: Mapped[int] = mapped_column(Integer, primary_key=True)
    notice_id: Mapped[int | None] = mapped_column(
        ForeignKey("notices.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DogDay(Base):
    """A concentrated immunisation day (集中免疫日): a date and place in an area (a community,
    or the whole street when None), its hours split into slots."""

    __tablename__ = "dog_days"
    __table_args__ = (Index("ix_dog_days_day", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    day: Mapped[date] = mapped_column(Date)
    place: Mapped[str] = mapped_column(String(128))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    announced_at: Mapped[datetime | None]  # None: a draft the author has not sent yet
    notice_id: Mapped[int | None] = mapped_column(ForeignKey("notices.id", ondelete="SET NULL"))
    reminded_at: Mapped[datetime | None]  # the bookers were reminded the day before
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DogDaySlot(Base):
    """A slot of an immunisation day; `booked` never passes `capacity` (checked by the
    database in the booking's own UPDATE)."""

    __tablename__ = "dog_day_slots"

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("dog_days.id", ondelete="CASCADE"), index=True)
    starts: Mapped[str] = mapped_column(String(5))  # HH:MM, local time
    ends: Mapped[str] = mapped_column(String(5))
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)


class DogBooking(Base):
    """A dog booked into a slot: one booking per dog and day; `attended_at` when staff
    marked that it came."""

    __tablename__ = "dog_bookings"
    __table_args__ = (UniqueConstraint("day_id", "dog_id", name="uq_dog_bookings_day_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    day_id: Mapped[int] = mapped_column(ForeignKey("dog_days.id", ondelete="CASCADE"))
    slot_id: Mapped[int] = mapped_column(
        ForeignKey("dog_day_slots.id", ondelete="CASCADE"), index=True
    )
    dog_id: Mapped[int] = mapped_column(ForeignKey("dogs.id", ondelete="CASCADE"), index=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    attended_at: Mapped[datetime | None]
    attended_by: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
