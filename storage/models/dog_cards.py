"""The review cards of dogs sent to reviewers, so a decision edits every one of them."""

from __future__ import annotations

from sqlalchemy import BigInteger, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from storage.models.base import Base


class DogReviewCard(Base):
    """A dog's review card in a reviewer's chat (the newest per chat) and the submission
    (its event) it was sent for."""

    __tablename__ = "dog_review_cards"

    dog_id: Mapped[int] = mapped_column(ForeignKey("dogs.id", ondelete="CASCADE"), primary_key=True)
    chat_id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    message_id: Mapped[int] = mapped_column(BigInteger)
    event_id: Mapped[int] = mapped_column(BigInteger)
