"""Reports meet the dog register: which categories ask for a dog's registration number (a
category's field; the seeded dog category does), and the registered dog a case names.

Revision ID: 0024
Revises: 0022
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0024"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

categories = sa.table("categories", sa.column("code", sa.String), sa.column("asks_dog_number"))


def upgrade() -> None:
    with op.batch_alter_table("categories") as batch:
        batch.add_column(
            sa.Column("asks_dog_number", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.execute(categories.update().where(categories.c.code == "dog").values(asks_dog_number=True))
    with op.batch_alter_table("cases") as batch:
        batch.add_column(sa.Column("dog_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_cases_dog_id_dogs", "dogs", ["dog_id"], ["id"], ondelete="SET NULL"
        )


def downgrade() -> None:
    with op.batch_alter_table("cases") as batch:
        batch.drop_constraint("fk_cases_dog_id_dogs", type_="foreignkey")
        batch.drop_column("dog_id")
    with op.batch_alter_table("categories") as batch:
        batch.drop_column("asks_dog_number")
