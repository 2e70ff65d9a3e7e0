"""What the bot owes after a change of a case, as rows written in the change's transaction.

0014 recorded only the announcement owed after filing (`cases.announced_at`). Every lifecycle
action owes something (the reporter's news, the cards' edits, a transfer's new cards), and so do
the clock's reminders and escalations: `case_owed` keeps one row per change until what it owes
has gone out. A filed case that 0014 still counted as unannounced becomes an owed row of its
submit event; the two columns go.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0015"
down_revision: str | None = "0014"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

cases = sa.table(
    "cases",
    sa.column("id", sa.Integer),
    sa.column("submitted_at", sa.DateTime(timezone=True)),
    sa.column("announced_at", sa.DateTime(timezone=True)),
)
events = sa.table(
    "case_events",
    sa.column("id", sa.Integer),
    sa.column("case_id", sa.Integer),
    sa.column("action", sa.String),
)


def upgrade() -> None:
    owed = op.create_table(
        "case_owed",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("step", sa.Integer(), nullable=True),
        sa.Column("phase", sa.String(length=16), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reporter_told_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["case_id"], ["cases.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["event_id"], ["case_events.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_case_owed_case_id", "case_owed", ["case_id"])
    op.create_index("ix_case_owed_event_id", "case_owed", ["event_id"])
    op.create_index("ix_case_owed_done_at", "case_owed", ["done_at"])
    unannounced = (
        sa.select(
            cases.c.id,
            events.c.id,
            sa.literal("action"),
            cases.c.submitted_at,
            cases.c.submitted_at,
        )
        .join(events, (events.c.case_id == cases.c.id) & (events.c.action == "submit"))
        .where(cases.c.submitted_at.is_not(None), cases.c.announced_at.is_(None))
    )
    op.execute(
        owed.insert().from_select(
            ["case_id", "event_id", "kind", "created_at", "claimed_at"], unannounced
        )
    )
    with op.batch_alter_table("cases") as batch:
        batch.drop_index(batch.f("ix_cases_announced_at"))
        batch.drop_column("announce_claimed_at")
        batch.drop_column("announced_at")


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("announced_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("announce_claimed_at", sa.DateTime(timezone=True), nullable=True)
        )
        batch.create_index(batch.f("ix_cases_announced_at"), ["announced_at"], unique=False)
    op.execute(
        cases.update()
        .where(cases.c.submitted_at.is_not(None))
        .values(announced_at=cases.c.submitted_at)
    )
    op.drop_table("case_owed")
