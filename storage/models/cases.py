"""People, areas, categories and cases: who reports what where, and who handles it."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from storage.models.base import Base, str_enum
from storage.types import utcnow


class Role(enum.StrEnum):
    RESIDENT = "resident"
    OFFICER = "officer"
    LEAD = "lead"
    ADMIN = "admin"
    VOLUNTEER = "volunteer"  # a residents' group's patroller: its duties and finds, nothing more


class AreaLevel(enum.StrEnum):
    STREET = "street"
    COMMUNITY = "community"
    GRID = "grid"


class CaseStatus(enum.StrEnum):
    DRAFT = "draft"
    NEW = "new"
    ACCEPTED = "accepted"
    RESOLVED = "resolved"
    CLOSED = "closed"
    REJECTED = "rejected"
    DUPLICATE = "duplicate"
    WITHDRAWN = "withdrawn"  # by its reporter, before anyone accepted it


# Filed and not yet finished: the statuses a desk still works on.
OPEN_STATUSES = frozenset({CaseStatus.NEW, CaseStatus.ACCEPTED, CaseStatus.RESOLVED})


class MediaKind(enum.StrEnum):
    PHOTO = "photo"
    DOCUMENT = "document"


class Person(Base):
    """Anyone who wrote to the bot; staff roles are set by admins, ADMIN_IDS or invites."""

    __tablename__ = "people"
    # The staff of an area (routing, escalation, notices to staff): role first, so the admins,
    # who have no area, are found by it too.
    __table_args__ = (Index("ix_people_role_area", "role", "area_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tg_id: Mapped[int] = mapped_column(BigInteger, unique=True)
    name: Mapped[str] = mapped_column(String(256), default="")
    username: Mapped[str | None] = mapped_column(String(64))
    tg_language: Mapped[str | None] = mapped_column(String(16))
    language: Mapped[str | None] = mapped_column(String(8))
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"), default=Role.RESIDENT)
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="SET NULL"))
    banned: Mapped[bool] = mapped_column(Boolean, default=False)
    reachable: Mapped[bool] = mapped_column(Boolean, default=True)
    on_duty: Mapped[bool] = mapped_column(Boolean, default=True)
    backup: Mapped[bool] = mapped_column(Boolean, default=False)  # a grid's stand-in officer
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)

    area: Mapped[Area | None] = relationship(lazy="raise")


class Area(Base):
    """A street, community or grid; grids carry the boundary that routes cases."""

    __tablename__ = "areas"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    name: Mapped[str] = mapped_column(String(128))
    level: Mapped[AreaLevel] = mapped_column(str_enum(AreaLevel, "area_level"))
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("areas.id", ondelete="RESTRICT"), index=True
    )
    boundary: Mapped[dict[str, Any] | None] = mapped_column(comment="GeoJSON geometry")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


QUESTIONS_COMMENT = "quick questions: [{key, zh, en, options: [{key, zh, en, flags}]}]"


class Category(Base):
    """A kind of problem with its deadlines, urgency and the department that gets a copy."""

    __tablename__ = "categories"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(32), unique=True)
    # The Open311 service code city platforms know it by; a new category's defaults to its code.
    service_code: Mapped[str] = mapped_column(
        String(32), unique=True, default=lambda context: context.get_current_parameters()["code"]
    )
    # The national digital city management standard's class (大类) and subclass (小类), if one fits.
    national_class: Mapped[str | None] = mapped_column(String(8))
    national_subclass: Mapped[str | None] = mapped_column(String(8))
    national_class_name: Mapped[str | None] = mapped_column(String(32))
    national_subclass_name: Mapped[str | None] = mapped_column(String(32))
    name_zh: Mapped[str] = mapped_column(String(64))
    name_en: Mapped[str] = mapped_column(String(64))
    icon: Mapped[str | None] = mapped_column(String(8))  # before the name on residents' buttons
    accept_minutes: Mapped[int] = mapped_column(Integer)
    resolve_minutes: Mapped[int] = mapped_column(Integer)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    department: Mapped[str | None] = mapped_column(String(32))
    # A danger-now answer also alerts the nearest micro fire station (bot.stations).
    alerts_stations: Mapped[bool] = mapped_column(Boolean, default=False)
    # A report asks whether the resident knows the dog's registration number (bot.dogs).
    asks_dog_number: Mapped[bool] = mapped_column(Boolean, default=False)
    sort_order: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    questions: Mapped[list[dict[str, Any]]] = mapped_column(default=list, comment=QUESTIONS_COMMENT)

    def name(self, language: str) -> str:
        return self.name_en if language == "en" else self.name_zh


class Case(Base):
    """A report carried through the loop; a draft until the resident submits it."""

    __tablename__ = "cases"
    __table_args__ = (
        Index("ix_cases_status_area", "status", "area_id"),
        Index("ix_cases_reporter_created", "reporter_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    number: Mapped[str | None] = mapped_column(String(32), unique=True)
    status: Mapped[CaseStatus] = mapped_column(
        str_enum(CaseStatus, "case_status"), default=CaseStatus.DRAFT
    )
    category_id: Mapped[int | None] = mapped_column(ForeignKey("categories.id"))
    reporter_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    officer_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id"))
    # Indexed so that deleting a case (a cancelled draft) does not scan all cases for duplicates.
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("cases.id"), index=True)
    # The registered dog the reporter named by its number (bot.dogs.sightings).
    dog_id: Mapped[int | None] = mapped_column(ForeignKey("dogs.id", ondelete="SET NULL"))
    description: Mapped[str] = mapped_column(Text, default="")
    answers: Mapped[dict[str, Any]] = mapped_column(default=dict)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    address: Mapped[str | None] = mapped_column(String(512))
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    officer_found: Mapped[bool] = mapped_column(Boolean, default=False)  # 自行发现 (patrol)
    verified_on_site: Mapped[bool] = mapped_column(Boolean, default=False)  # 核查
    share_identity: Mapped[bool] = mapped_column(Boolean, default=False)  # name shown to officers
    escalation_level: Mapped[int] = mapped_column(Integer, default=0)
    rework_count: Mapped[int] = mapped_column(Integer, default=0)
    rating: Mapped[int | None] = mapped_column(Integer)
    rating_comment: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(index=True)
    accept_due_at: Mapped[datetime | None]
    resolve_due_at: Mapped[datetime | None]
    accepted_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]

    media: Mapped[list[CaseMedia]] = relationship(
        back_populates="case", lazy="raise", order_by="CaseMedia.id"
    )
    events: Mapped[list[CaseEvent]] = relationship(
        back_populates="case", lazy="raise", order_by="CaseEvent.id"
    )


class CaseMedia(Base):
    """A photo or image file of a case: its Telegram ids and, once downloaded, its SHA-256."""

    __tablename__ = "case_media"
    __table_args__ = (UniqueConstraint("case_id", "file_unique_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"))
    kind: Mapped[MediaKind] = mapped_column(str_enum(MediaKind, "media_kind"))
    stage: Mapped[str] = mapped_column(String(16), default="report")
    file_id: Mapped[str] = mapped_column(String(256))
    file_unique_id: Mapped[str] = mapped_column(String(64))
    media_group_id: Mapped[str | None] = mapped_column(String(64))
    mime_type: Mapped[str | None] = mapped_column(String(64))
    sha256: Mapped[str | None] = mapped_column(String(64), index=True)
    size: Mapped[int | None] = mapped_column(Integer)
    download_attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="media", lazy="raise")


class CaseFollower(Base):
    """A resident who said "that's the one" to a case: gets its updates, counts as support."""

    __tablename__ = "case_followers"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    person_id: Mapped[int] = mapped_column(
        ForeignKey("people.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseEvent(Base):
    """One line of a case's audit trail: who did what, when, from which status to which."""

    __tablename__ = "case_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    action: Mapped[str] = mapped_column(String(32))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str | None] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[Case] = relationship(back_populates="events", lazy="raise")


class CaseOwed(Base):
    """What the bot owes people after a change of a case (news, cards, an escalation), written
    in the change's own transaction and done once it went out (see bot.cases.owed)."""

    __tablename__ = "case_owed"
    ACTION, WATCH = "action", "watch"  # its kinds

    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("cases.id", ondelete="CASCADE"), index=True)
    # A lifecycle action's event, or (for the clock's reminders and escalations) none.
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("case_events.id", ondelete="CASCADE"), index=True
    )
    event: Mapped[CaseEvent | None] = relationship(lazy="raise")
    kind: Mapped[str] = mapped_column(String(16))
    step: Mapped[int | None] = mapped_column(Integer)  # the watch's step
    phase: Mapped[str | None] = mapped_column(String(16))  # the watch's phase: accept, resolve
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Whoever delivers it holds it until then: the process that made the change at first, and
    # after a lease runs out (the process stopped), the clock of any instance.
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None] = mapped_column(index=True)
    # A filing's reporter was told (by the handler, before the cards): not told again after a stop.
    reporter_told_at: Mapped[datetime | None]


class Invite(Base):
    """A one-time deep link that makes whoever opens it an officer, lead or admin of an area."""

    __tablename__ = "invites"

    id: Mapped[int] = mapped_column(primary_key=True)
    token: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[Role] = mapped_column(str_enum(Role, "role"))
    area_id: Mapped[int | None] = mapped_column(ForeignKey("areas.id", ondelete="CASCADE"))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    used_at: Mapped[datetime | None]


class CaseCard(Base):
    """A case card the bot sent to a staff chat, edited in place whenever the case changes."""

    __tablename__ = "case_cards"

    case_id: Mapped[int] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    message_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DepartmentGroup(Base):
    """A department's group chat (城管执法, 派出所, 应急 …): gets its categories' cases."""

    __tablename__ = "department_groups"

    department: Mapped[str] = mapped_column(String(32), primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, index=True)
    title: Mapped[str] = mapped_column(String(256), default="")
    bound_by_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
