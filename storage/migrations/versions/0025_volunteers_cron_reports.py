"""Residents' groups with a leader and volunteers; a duty's cron rhythm, its report figures and
its residents' group; an occurrence's filed figures.

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0025"
down_revision: str | None = "0024"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "resident_groups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=32), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("community_id", sa.Integer(), nullable=False),
        sa.Column("leader_id", sa.Integer(), nullable=True),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["community_id"], ["areas.id"], name="fk_resident_groups_community_id_areas"
        ),
        sa.ForeignKeyConstraint(
            ["leader_id"],
            ["people.id"],
            name="fk_resident_groups_leader_id_people",
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name="pk_resident_groups"),
        sa.UniqueConstraint("code", name="uq_resident_groups_code"),
    )
    op.create_index("ix_resident_groups_community_id", "resident_groups", ["community_id"])
    op.create_index("ix_resident_groups_leader_id", "resident_groups", ["leader_id"])
    op.create_table(
        "group_volunteers",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("group_id", sa.Integer(), nullable=False),
        sa.Column("added_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["group_id"],
            ["resident_groups.id"],
            name="fk_group_volunteers_group_id_resident_groups",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["people.id"],
            name="fk_group_volunteers_person_id_people",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("person_id", name="pk_group_volunteers"),
    )
    op.create_index("ix_group_volunteers_group_id", "group_volunteers", ["group_id"])
    with op.batch_alter_table("duties") as batch:
        batch.add_column(sa.Column("cron", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("report", sa.JSON(), nullable=False, server_default="[]"))
        batch.add_column(sa.Column("group_id", sa.Integer(), nullable=True))
        batch.create_foreign_key(
            "fk_duties_group_id_resident_groups",
            "resident_groups",
            ["group_id"],
            ["id"],
            ondelete="CASCADE",
        )
        batch.create_index("ix_duties_group_id", ["group_id"])
    with op.batch_alter_table("duty_occurrences") as batch:
        batch.add_column(sa.Column("figures", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("duty_occurrences") as batch:
        batch.drop_column("figures")
    with op.batch_alter_table("duties") as batch:
        batch.drop_index("ix_duties_group_id")
        batch.drop_constraint("fk_duties_group_id_resident_groups", type_="foreignkey")
        batch.drop_column("group_id")
        batch.drop_column("report")
        batch.drop_column("cron")
    op.drop_index("ix_group_volunteers_group_id", "group_volunteers")
    op.drop_table("group_volunteers")
    op.drop_index("ix_resident_groups_leader_id", "resident_groups")
    op.drop_index("ix_resident_groups_community_id", "resident_groups")
    op.drop_table("resident_groups")
