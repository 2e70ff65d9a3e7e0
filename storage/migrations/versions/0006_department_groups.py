"""Department groups: a department's group chat gets a copy of the cases of its categories.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "department_groups",
        sa.Column("department", sa.String(length=32), nullable=False),
        sa.Column("chat_id", sa.BigInteger(), nullable=False),
        sa.Column("title", sa.String(length=256), nullable=False),
        sa.Column("bound_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["bound_by_id"],
            ["people.id"],
            name=op.f("fk_department_groups_bound_by_id_people"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("department", name=op.f("pk_department_groups")),
    )
    with op.batch_alter_table("department_groups") as batch:
        batch.create_index(batch.f("ix_department_groups_chat_id"), ["chat_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("department_groups") as batch:
        batch.drop_index(batch.f("ix_department_groups_chat_id"))
    op.drop_table("department_groups")
