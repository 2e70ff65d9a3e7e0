"""Routine duties (checks and patrols on a rhythm): duties, their occurrences (one per duty and
period) and the cases found while doing one.

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0021"
down_revision: str | None = "0020"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

WHEN = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "duties",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column(
            "role",
            sa.Enum(
                "resident", "officer", "lead", "admin", name="role", native_enum=False, length=16
            ),
            nullable=False,
        ),
        sa.Column("area_id", sa.Integer(), nullable=True),
        sa.Column(
            "rhythm",
            sa.Enum(
                "daily",
                "weekly",
                "half_month",
                "monthly",
                name="duty_rhythm",
                native_enum=False,
                length=16,
            ),
            nullable=False,
        ),
        sa.Column("day", sa.Integer(), nullable=False),
        sa.Column("checklist", sa.JSON(), nullable=False),
        sa.Column("photos", sa.Boolean(), nullable=False),
        sa.Column("deadline_hours", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.ForeignKeyConstraint(["area_id"], ["areas.id"], name="fk_duties_area_id_areas"),
        sa.PrimaryKeyConstraint("id", name="pk_duties"),
        sa.UniqueConstraint("name", name="uq_duties_name"),
    )
    op.create_index("ix_duties_area_id", "duties", ["area_id"])

    op.create_table(
        "duty_occurrences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("duty_id", sa.Integer(), nullable=False),
        sa.Column("period_start", sa.Date(), nullable=False),
        sa.Column("starts_at", WHEN, nullable=False),
        sa.Column("due_at", WHEN, nullable=False),
        sa.Column("created_at", WHEN, nullable=False),
        sa.Column("announced_at", WHEN, nullable=True),
        sa.Column("reminded_at", WHEN, nullable=True),
        sa.Column("escalation_level", sa.Integer(), nullable=False),
        sa.Column("started_at", WHEN, nullable=True),
        sa.Column("started_by_id", sa.Integer(), nullable=True),
        sa.Column("checked", sa.JSON(), nullable=False),
        sa.Column("photo_ids", sa.JSON(), nullable=False),
        sa.Column("summary", sa.Text(), nullable=True),
        sa.Column("done_at", WHEN, nullable=True),
        sa.ForeignKeyConstraint(
            ["duty_id"],
            ["duties.id"],
            name="fk_duty_occurrences_duty_id_duties",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["started_by_id"], ["people.id"], name="fk_duty_occurrences_started_by_id_people"
        ),
        sa.PrimaryKeyConstraint("id", name="pk_duty_occurrences"),
        sa.UniqueConstraint("duty_id", "period_start", name="uq_duty_occurrences_duty_id"),
    )
    op.create_index("ix_duty_occurrences_open", "duty_occurrences", ["done_at", "due_at"])
    op.create_index("ix_duty_occurrences_started_by_id", "duty_occurrences", ["started_by_id"])

    op.create_table(
        "duty_finds",
        sa.Column("occurrence_id", sa.Integer(), nullable=False),
        sa.Column("case_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["case_id"], ["cases.id"], name="fk_duty_finds_case_id_cases", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["occurrence_id"],
            ["duty_occurrences.id"],
            name="fk_duty_finds_occurrence_id_duty_occurrences",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("occurrence_id", "case_id", name="pk_duty_finds"),
    )
    op.create_index("ix_duty_finds_case_id", "duty_finds", ["case_id"])


def downgrade() -> None:
    op.drop_index("ix_duty_finds_case_id", "duty_finds")

    op.drop_table("duty_finds")
    op.drop_index("ix_duty_occurrences_started_by_id", "duty_occurrences")
    op.drop_index("ix_duty_occurrences_open", "duty_occurrences")

    op.drop_table("duty_occurrences")
    op.drop_index("ix_duties_area_id", "duties")

    op.drop_table("duties")
