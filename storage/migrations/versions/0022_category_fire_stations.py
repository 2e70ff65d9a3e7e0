"""Which categories alert the micro fire stations on a danger-now answer: a category's field,
not a code in the program. The seeded fire hazard category does.

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0022"
down_revision: str | None = "0021"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

categories = sa.table("categories", sa.column("code", sa.String), sa.column("alerts_stations"))


def upgrade() -> None:
    with op.batch_alter_table("categories") as batch:
        batch.add_column(
            sa.Column("alerts_stations", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute(categories.update().where(categories.c.code == "fire").values(alerts_stations=True))


def downgrade() -> None:
    with op.batch_alter_table("categories") as batch:
        batch.drop_column("alerts_stations")
