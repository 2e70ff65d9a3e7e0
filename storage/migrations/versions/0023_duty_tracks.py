"""Patrol tracks: whether a duty requires one, and the points of each occurrence's track (the
live location shared while doing it).

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0023"
down_revision: str | None = "0022"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    with op.batch_alter_table("duties") as batch:
        batch.add_column(
            sa.Column("track", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "duty_track_points",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("occurrence_id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("latitude", sa.Float(), nullable=False),
        sa.Column("longitude", sa.Float(), nullable=False),
        sa.Column("at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["duty_occurrences.id"],
            name="fk_duty_track_points_occurrence_id_duty_occurrences",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["person_id"], ["people.id"], name="fk_duty_track_points_person_id_people"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_duty_track_points"),
    )
    op.create_index(
        "ix_duty_track_points_occurrence_at", "duty_track_points", ["occurrence_id", "at"]
    )
    op.create_index("ix_duty_track_points_person_id", "duty_track_points", ["person_id"])
    op.create_index("ix_duty_track_points_at", "duty_track_points", ["at"])


def downgrade() -> None:
    op.drop_index("ix_duty_track_points_at", "duty_track_points")
    op.drop_index("ix_duty_track_points_person_id", "duty_track_points")
    op.drop_index("ix_duty_track_points_occurrence_at", "duty_track_points")
    op.drop_table("duty_track_points")
    with op.batch_alter_table("duties") as batch:
        batch.drop_column("track")
