"""What the bot owes after a change of a dog, a duty or a fire (issue 16's promise beyond cases):
`owed` keeps one row per change until its messages have gone out; `dog_review_cards` keeps the
dogs' review cards, so a decision edits every reviewer's card.

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0026"
down_revision: str | None = "0025"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "owed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("what", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_owed_kind_open", "owed", ["kind", "done_at"])
    op.create_table(
        "dog_review_cards",
        sa.Column("dog_id", sa.Integer(), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("message_id", sa.BigInteger(), nullable=False),
        sa.Column("event_id", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["dog_id"], ["dogs.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("dog_id", "chat_id"),
    )


def downgrade() -> None:
    op.drop_table("dog_review_cards")
    op.drop_index("ix_owed_kind_open", table_name="owed")
    op.drop_table("owed")
