"""What the bot owes people after a change of something other than a case (a dog's review, a
duty's reminder, a fire's escalation), written in the change's own transaction and done once it
went out (see storage.owed). Cases keep their own rows (`case_owed`, with their event)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base
from storage.types import utcnow


class Owed(Base):
    """One change's messages still to go out: what kind of subject, which one, and what of it."""

    __tablename__ = "owed"
    __table_args__ = (Index("ix_owed_kind_open", "kind", "done_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(32))  # the deliverer's name, e.g. "dog.review"
    subject_id: Mapped[int] = mapped_column(BigInteger)  # the dog, occurrence, response ...
    what: Mapped[int | None] = mapped_column(BigInteger)  # an event id, a level ... or none
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Whoever delivers it holds it until then: the process that made the change at first, and
    # after a lease runs out (the process stopped), the clock of any instance.
    claimed_at: Mapped[datetime] = mapped_column(default=utcnow)
    done_at: Mapped[datetime | None]
