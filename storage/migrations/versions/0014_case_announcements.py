"""Announcements owed after filing: a case is filed in one transaction and announced (the cards
to its officers, the department group's copy) after it; `announced_at` records that the
announcement went out, so a process killed in between leaves a case the clock announces later.
`announce_claimed_at` is the clock's lease on one, so two instances never both send it.

Cases filed before this revision count as announced.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0014"
down_revision: str | None = "0013"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

cases = sa.table(
    "cases",
    sa.column("submitted_at", sa.DateTime(timezone=True)),
    sa.column("announced_at", sa.DateTime(timezone=True)),
)


def upgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("announced_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(
            sa.Column("announce_claimed_at", sa.DateTime(timezone=True), nullable=True)
        )
    op.execute(
        cases.update()
        .where(cases.c.submitted_at.is_not(None))
        .values(announced_at=cases.c.submitted_at)
    )
    with op.batch_alter_table("cases") as batch:
        batch.create_index(batch.f("ix_cases_announced_at"), ["announced_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_index(batch.f("ix_cases_announced_at"))
        batch.drop_column("announce_claimed_at")
        batch.drop_column("announced_at")
