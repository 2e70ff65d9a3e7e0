"""Backup officers, officer-found cases (patrol) and on-site verification of a fix.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("people") as batch:
        batch.add_column(
            sa.Column("backup", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    with op.batch_alter_table("cases") as batch:
        batch.add_column(
            sa.Column("officer_found", sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch.add_column(
            sa.Column("verified_on_site", sa.Boolean(), nullable=False, server_default=sa.false())
        )


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_column("verified_on_site")
        batch.drop_column("officer_found")
    with op.batch_alter_table("people") as batch:
        batch.drop_column("backup")
